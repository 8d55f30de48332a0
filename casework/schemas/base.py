"""The base of every request declaration."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    """Strict (JSON types are what they say: text is a string, a number is not a string),
    unknown keys ignored (a client may send back what it read, e.g. `id`)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Query(BaseModel):
    """Query strings are text by nature: numbers in them are parsed (lax), then bounded."""

    model_config = ConfigDict(strict=False, extra="ignore", frozen=True)
