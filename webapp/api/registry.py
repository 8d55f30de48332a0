"""Imports every API module so that its routes and documentation are registered."""

from webapp.api import (  # noqa: F401
    auth,
    levy,
    lookup,
    notices,
    placements,
    review,
    tax,
    units,
    verify,
    window,
)
