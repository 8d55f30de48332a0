"""Shared form pieces: the required marker and the province/city/county cascade."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape
from wtforms import Field
from wtforms.utils import unset_value

from domain import regions

LEVEL_PROMPTS = ("请选择省", "请选择市", "请选择区县")


class Marked:
    """Marks a field as required (the `*` and the `required` flag) without validating it:
    the casework service checks every field and reports in Chinese."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def max_length(model, field: str) -> int | None:
    """The longest text the declaration `model` accepts for `field` (its maxLength), so
    that a page's input limit is the API's."""
    return model.model_json_schema()["properties"][field].get("maxLength")


def region_chain(code: str | None) -> list[str]:
    """Codes from the province down to `code`, or [] when unknown."""
    if not code or regions.find(code) is None:
        return []
    return [r.code for r in regions.path(code)]


def deepest_consistent(parts: list[str]) -> str:
    """The lowest selected level whose parents match the levels above it.

    Without JavaScript a user may change the province and keep a stale city; the chain
    is cut where it stops being consistent, so the service asks for the lower levels.
    """
    chain: list[str] = []
    for part in parts:
        if not part:
            break
        region = regions.find(part)
        if region is None:
            return part if not chain else chain[-1]
        if (chain and region.parent != chain[-1]) or (not chain and region.parent is not None):
            break
        chain.append(part)
    return chain[-1] if chain else ""


class RegionWidget:
    """Three selects (省 / 市 / 区县) filled from the region table, cascaded by app.js."""

    def __call__(self, field: RegionField, **kwargs) -> Markup:
        chain = region_chain(field.data)
        html = [
            f'<span class="region-cascade" data-region-cascade data-api="/api/v1/regions" '
            f'id="{escape(field.id)}">'
        ]
        parent: str | None = None
        for level in range(3):
            if level > 0 and (parent is None or not regions.children(parent)):
                options: list[regions.Region] = []
            else:
                options = regions.children(parent)
            selected = chain[level] if level < len(chain) else ""
            if selected and selected not in {r.code for r in options}:
                options = [*options, regions.get(selected)]
            disabled = " disabled" if level > 0 and not options else ""
            invalid = ' aria-invalid="true"' if field.errors else ""
            html.append(
                f'<select name="{escape(field.name)}__{level + 1}" class="region-level" '
                f'data-level="{level + 1}" aria-label="{escape(field.label.text)}（{LEVEL_PROMPTS[level][3:]}）"'
                f"{disabled}{invalid}>"
            )
            html.append(f'<option value="">{LEVEL_PROMPTS[level]}</option>')
            for region in options:
                mark = " selected" if region.code == selected else ""
                html.append(f'<option value="{region.code}"{mark}>{escape(region.name)}</option>')
            html.append("</select>")
            parent = selected or None
        html.append("</span>")
        return Markup("".join(html))


class RegionField(Field):
    """A 6-digit region code entered as a cascade; the value is the deepest consistent level.

    Also accepts a plain `<name>` parameter carrying a code (API-like clients, tests).
    """

    widget = RegionWidget()

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data or ""
        if formdata is None:
            return
        keys = [f"{self.name}__{i}" for i in (1, 2, 3)]
        if any(k in formdata for k in keys):
            self.data = deepest_consistent([(formdata.get(k) or "").strip() for k in keys])
        elif self.name in formdata:
            self.data = (formdata.get(self.name) or "").strip()

    def _value(self) -> str:
        return self.data or ""


def attach_errors(form, errors: Mapping[str, str], aliases: Mapping[str, str] | None = None) -> str:
    """Put service messages on the form's fields; returns those that fit no field."""
    aliases = aliases or {}
    leftover = []
    for key, message in errors.items():
        name = aliases.get(key, key)
        field = getattr(form, name, None) if name else None
        if isinstance(field, Field):
            field.errors = [*list(field.errors or []), message]
        else:
            leftover.append(message)
    return "；".join(leftover)
