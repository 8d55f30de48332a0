"""单位基本信息 and 关联单位 forms (001 §4): rendering and CSRF only. The rules are those of
the declarations `UnitInput` and `RelatedUnitInput` (casework.schemas.units), which the
services apply to these forms' values as to the API's JSON; the input lengths shown here
are read from them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

from casework.schemas.units import RelatedUnitInput, UnitInput
from casework.units import (
    ECONOMIC_TYPES,
    INDUSTRIES,
    LABELS,
    NATURES,
    RELATED_FIELDS,
    RELATED_LABELS,
    RELATIONS,
    UNIT_FIELDS,
)
from webapp.forms.fields import Marked, RegionField, max_length

# required: what the declarations require (the `*` on the page)
REQUIRED_UNIT_FIELDS = frozenset(UnitInput.model_json_schema()["required"])
REQUIRED_RELATED_FIELDS = frozenset(RelatedUnitInput.model_json_schema()["required"])


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice("", "请选择"), *[SelectChoice(v, v) for v in values]]


def _v(key: str, required: frozenset[str]) -> list:
    return [Marked()] if key in required else []


def _text(key: str, labels=LABELS, required=REQUIRED_UNIT_FIELDS, **render) -> StringField:
    return StringField(
        labels[key], _v(key, required), render_kw={"placeholder": "请输入", **render}
    )


def _select(key: str, values, labels=LABELS, required=REQUIRED_UNIT_FIELDS) -> SelectField:
    return SelectField(
        labels[key], _v(key, required), choices=_choices(values), validate_choice=False
    )


class UnitForm(FlaskForm):
    """All fields of 单位基本信息; 统一社会信用代码 is shown read-only, outside the form."""

    name = _text("name", maxlength=max_length(UnitInput, "name"))
    tax_number = _text("tax_number", maxlength=max_length(UnitInput, "tax_number"))
    nature = _select("nature", NATURES)
    economic_type = _select("economic_type", ECONOMIC_TYPES)
    industry = _select("industry", INDUSTRIES)
    cdpf_region = RegionField(LABELS["cdpf_region"], [Marked()])
    tax_region = RegionField(LABELS["tax_region"], [Marked()])
    admin_region = RegionField(LABELS["admin_region"], [Marked()])
    legal_name = _text("legal_name", maxlength=max_length(UnitInput, "legal_name"))
    legal_id_number = _text("legal_id_number", maxlength=max_length(UnitInput, "legal_id_number"))
    legal_phone = _text("legal_phone", maxlength=max_length(UnitInput, "legal_phone"), inputmode="tel")
    org_code = _text("org_code", maxlength=max_length(UnitInput, "org_code"))
    phone = _text("phone", maxlength=max_length(UnitInput, "phone"), inputmode="tel")
    staff_last_year = _text("staff_last_year", maxlength=9, inputmode="numeric")
    contact_name = _text("contact_name", maxlength=max_length(UnitInput, "contact_name"))
    contact_phone = _text("contact_phone", maxlength=max_length(UnitInput, "contact_phone"), inputmode="tel")
    business_address = _text("business_address", maxlength=max_length(UnitInput, "business_address"))
    registered_address = _text("registered_address", maxlength=max_length(UnitInput, "registered_address"))

    FIELD_ORDER = UNIT_FIELDS

    def values(self) -> dict:
        return {key: getattr(self, key).data for key in self.FIELD_ORDER}


def _related_text(key: str, **render) -> StringField:
    return _text(key, RELATED_LABELS, REQUIRED_RELATED_FIELDS, **render)


class RelatedUnitForm(FlaskForm):
    region_code = RegionField(RELATED_LABELS["region_code"], [Marked()])
    credit_code = _related_text("credit_code", maxlength=max_length(RelatedUnitInput, "credit_code"))
    tax_number = _related_text("tax_number", maxlength=max_length(RelatedUnitInput, "tax_number"))
    org_code = _related_text("org_code", maxlength=max_length(RelatedUnitInput, "org_code"))
    name = _related_text("name", maxlength=max_length(RelatedUnitInput, "name"))
    phone = _related_text("phone", maxlength=max_length(RelatedUnitInput, "phone"), inputmode="tel")
    address = _related_text("address", maxlength=max_length(RelatedUnitInput, "address"))
    relation = _select("relation", RELATIONS, RELATED_LABELS, REQUIRED_RELATED_FIELDS)
    attachments = MultipleFileField(
        RELATED_LABELS["attachments"],
        render_kw={"accept": ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"},
    )
    remove_attachments = SelectMultipleField(
        "删除已上传附件",
        coerce=int,
        validate_choice=False,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )

    FIELD_ORDER = RELATED_FIELDS

    def values(self) -> dict:
        return {key: getattr(self, key).data for key in self.FIELD_ORDER}
