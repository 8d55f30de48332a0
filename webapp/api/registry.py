"""Imports every API module so that its routes and documentation are registered."""

from webapp.api import (  # noqa: F401
    auth,
    graduates,
    levy,
    levy_relief,
    lookup,
    notices,
    params,
    placement_ends,
    placements,
    review,
    reward,
    reward_applications,
    tax,
    units,
    verify,
    window,
)
