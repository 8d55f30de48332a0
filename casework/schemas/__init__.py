"""Declarations of what each request carries (and each answer returns), written once.

The pydantic models here are the one validation layer: the JSON API validates every
body, query and path value against them (and its OpenAPI document is generated from
them), and the pages and services validate the same input through the same models, so a
rule and its Chinese message exist in one place. `parse` turns a failed validation into
`FieldErrors` with one Chinese message per field.
"""

from casework.schemas.messages import field_messages, parse

__all__ = ["field_messages", "parse"]
