"""The one error type domain rules raise: a Chinese message a user can act on."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken by the input; `message` is shown to the user next to `field`."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
