"""The one error type domain rules raise: a Chinese message a user can act on."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule was broken by the input; `message` is shown to the user next to `field`."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FieldErrors(DomainError):
    """Several fields are wrong at once; `errors` maps each field to its Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.values()), "输入有误")
        super().__init__(first, next(iter(errors), None))
        self.errors = dict(errors)


class NotFound(DomainError):
    """Not there, or not yours: both answer 404 so that ids of others reveal nothing."""

    def __init__(self, message: str = "未找到该记录") -> None:
        super().__init__(message)


class Conflict(DomainError):
    """Someone else got there first (the task was taken or done): answered as 409."""
