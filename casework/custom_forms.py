"""自定义表单: a data-entry step a process owner adds without code.

A user task in a staff lane, or in the 用人单位 lane, names form `custom` and carries its
form as a property
`form_schema`: a form-js schema (what bpmn.io's form editor saves), stored with the
diagram version. The subset read here is what a 残联 step asks for: 单行文本
(textfield), 多行文本 (textarea), 数字 (number), 日期 (datetime, date only), 单选
(select/radio with fixed values), 是/否 (checkbox), 附件 (filepicker, at most one) and
说明文字 (text); each field may be required. The schema is checked when the diagram is
(a bad one names its task), turned into a pydantic model that validates the page's
fields and the API's JSON alike, and its values go into the task data under their keys
(for the gateways after it) and into the case's decision history.

Staff fill it in the workbench (review/custom_form.html, `POST /api/v1/tasks/{id}/form`).
In the employer's lane the unit fills it on its own pages (首页 lists it as 待办事项,
`home.step` shows it) or through `POST /api/v1/case/steps/{id}`, validated by the same
declaration; a unit sees and completes only its own cases' steps (`employer_row`), and an
attachment must be one the unit uploaded.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.decisions import add_record
from casework.schemas.messages import Label, parse
from casework.schemas.review import CustomFormInput
from casework.schemas.types import date_text, fail, id_list, number, text
from casework.system import System
from casework.task_forms import EMPLOYER, FORMS, STAFF, TaskForm, register_form
from casework.uploads import attachments_of
from domain.errors import DomainError, FieldErrors, NotFound
from engine.models import InboxTask

EMPLOYER_ROLE = "employer"

FORM_KEY = "custom"
SCHEMA_PROPERTY = "form_schema"
MAX_SCHEMA_CHARS = 20_000
MAX_FIELDS = 40
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# what a field may not be called: the data the system itself keeps in a case
RESERVED = frozenset({"case_id", "placement_id", "pledge_read", "declared_by_staff", "certified_at"})

KINDS = {  # form-js type → what it is called here
    "textfield": "单行文本",
    "textarea": "多行文本",
    "number": "数字",
    "datetime": "日期",
    "select": "单选（下拉）",
    "radio": "单选",
    "checkbox": "是/否",
    "filepicker": "附件",
    "text": "说明文字",
}


@dataclass(frozen=True)
class Field_:
    key: str
    kind: str  # a key of KINDS
    label: str
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (value, label) of a choice
    minimum: float | None = None
    maximum: float | None = None
    max_len: int = 200


@dataclass(frozen=True)
class CustomForm:
    fields: tuple[Field_, ...]  # the input fields, in order
    notes: tuple[str, ...]  # 说明文字, shown above the fields

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @property
    def upload(self) -> Field_ | None:
        return next((f for f in self.fields if f.kind == "filepicker"), None)


class SchemaError(ValueError):
    """A form-js schema this product cannot render; the message is Chinese."""


def _label(component: dict, key: str) -> str:
    label = component.get("label") or component.get("text") or key
    if not isinstance(label, str) or not label.strip():
        return key
    return label.strip()[:60]


def _choice_values(component: dict, label: str) -> tuple[tuple[str, str], ...]:
    values = component.get("values")
    if not isinstance(values, list) or not values:
        raise SchemaError(f"“{label}”须列出可选项（静态选项）；不支持从数据源读取选项")
    found = []
    for item in values[:50]:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"].strip():
            raise SchemaError(f"“{label}”的选项须有取值（文字）")
        found.append((item["value"].strip()[:100], str(item.get("label") or item["value"]).strip()[:100]))
    if len({v for v, _ in found}) != len(found):
        raise SchemaError(f"“{label}”的选项取值重复")
    return tuple(found)


def _bound(validate: dict, name: str, label: str) -> float | None:
    value = validate.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1e12:
        raise SchemaError(f"“{label}”的{'最小值' if name == 'min' else '最大值'}须为数字")
    return float(value)


def _field(component: dict, taken: set[str], reserved: frozenset[str]) -> Field_ | None:
    kind = component.get("type")
    if kind == "text":
        return None
    key = component.get("key")
    label = _label(component, str(key or kind))
    if kind not in KINDS:
        raise SchemaError(f"不支持的控件“{label}”（{kind}）；可用：{'、'.join(KINDS.values())}")
    if not isinstance(key, str) or not KEY.match(key) or keyword.iskeyword(key):
        raise SchemaError(f"“{label}”的字段名（key）须以小写字母开头，只含小写字母、数字和下划线，至多40个字符")
    if key in taken:
        raise SchemaError(f"字段名“{key}”重复")
    if key in reserved or key in RESERVED:
        raise SchemaError(f"字段名“{key}”已被系统使用，请换一个")
    taken.add(key)
    validate = component.get("validate") if isinstance(component.get("validate"), dict) else {}
    required = validate.get("required") is True
    if kind == "datetime" and component.get("subtype", "date") != "date":
        raise SchemaError(f"“{label}”只支持日期（不含时间）")
    options = _choice_values(component, label) if kind in ("select", "radio") else ()
    max_len = 2000 if kind == "textarea" else 200
    if isinstance(validate.get("maxLength"), int) and not isinstance(validate.get("maxLength"), bool):
        max_len = max(1, min(max_len, validate["maxLength"]))
    minimum, maximum = (_bound(validate, "min", label), _bound(validate, "max", label)) if kind == "number" else (None, None)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise SchemaError(f"“{label}”的最小值大于最大值")
    return Field_(key, kind, label, required, options, minimum, maximum, max_len)


def parse_schema(raw: Any, reserved: frozenset[str] = frozenset()) -> CustomForm:
    """The form a task's `form_schema` describes, or SchemaError saying what is wrong."""
    if isinstance(raw, str):
        if len(raw) > MAX_SCHEMA_CHARS:
            raise SchemaError(f"表单设计过大（上限{MAX_SCHEMA_CHARS}个字符）")
        try:
            raw = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            raise SchemaError("表单设计不是有效的JSON（请用表单设计器保存）") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("components"), list):
        raise SchemaError("未设计表单：须有表单设计（form_schema），至少一个填写项")
    components = raw["components"]
    if len(components) > MAX_FIELDS:
        raise SchemaError(f"表单的控件不能超过{MAX_FIELDS}个")
    taken: set[str] = set()
    fields, notes = [], []
    for component in components:
        if not isinstance(component, dict):
            raise SchemaError("表单设计格式不正确")
        if component.get("type") == "text":
            notes.append(str(component.get("text") or "")[:1000])
            continue
        found = _field(component, taken, reserved)
        if found is not None:
            fields.append(found)
    if not fields:
        raise SchemaError("表单至少须有一个填写项")
    if sum(1 for f in fields if f.kind == "filepicker") > 1:
        raise SchemaError("一个表单至多一个附件项")
    return CustomForm(tuple(fields), tuple(notes))


def reserved_names() -> frozenset[str]:
    """Every name another registered form writes: a field must not overwrite it."""
    return frozenset(name for form in FORMS.values() for name in form.writes)


def form_of(props: dict) -> CustomForm:
    try:
        return parse_schema(props.get(SCHEMA_PROPERTY, ""), reserved_names())
    except SchemaError as exc:
        raise DomainError(f"该步骤的表单设计有误：{exc}") from None


def settings_problem(props: dict) -> str | None:
    """Checked when a diagram is loaded or published: the task's own form must render."""
    try:
        parse_schema(props.get(SCHEMA_PROPERTY, ""), reserved_names())
    except SchemaError as exc:
        return f"自定义表单有误：{exc}"
    return None


def writes_of(props: dict) -> tuple[str, ...]:
    """The task data the step writes: its fields' keys (for the gateways after it)."""
    try:
        return parse_schema(props.get(SCHEMA_PROPERTY, ""), reserved_names()).keys
    except SchemaError:
        return ()


# -- validation: one model per form, for pages and API alike --------------------------
def _checked_flag(label: str):
    def check(value: bool) -> bool:
        if not value:
            raise fail(f"请勾选“{label}”")
        return value

    return check


def _annotation(f: Field_) -> tuple[Any, Any]:
    """(type, default) of a field. A missing field is validated like a blank one (so a
    required one says 请填写/请选择 with its label); an optional number or date is None."""
    blank = Field(default="", validate_default=True)
    if f.kind in ("textfield", "textarea"):
        return text(f.label, required=f.required, max_len=f.max_len), blank
    if f.kind in ("select", "radio"):
        return text(f.label, required=f.required, enum=[v for v, _ in f.options]), blank
    if f.kind == "number":
        kind = number(f.label, minimum=f.minimum, maximum=f.maximum if f.maximum is not None else 1e12)
        return kind, (... if f.required else None)
    if f.kind == "datetime":
        return date_text(f.label), (... if f.required else None)
    if f.kind == "checkbox":
        flag = Annotated[bool, Label(f.label, verb="请勾选")]
        if f.required:
            flag = Annotated[flag, AfterValidator(_checked_flag(f.label))]
        return flag, Field(default=False, validate_default=True)
    if f.kind == "filepicker":
        files = id_list(f.label, max_items=20)
        if f.required:
            return Annotated[files, Field(min_length=1)], Field(default=[], validate_default=True)
        return files, []
    raise SchemaError(f.kind)


def model_for(form: CustomForm) -> type[BaseModel]:
    """A pydantic model of the form: its fields, labels and limits, Chinese messages."""
    definitions: dict[str, Any] = {}
    for f in form.fields:
        annotation, default = _annotation(f)
        definitions[f.key] = (annotation, default)
    return create_model(
        "CustomFormValues", __config__=ConfigDict(strict=True, extra="ignore", frozen=True), **definitions
    )


def _blank_to_none(form: CustomForm, values: dict) -> dict:
    """Page text: an empty number or date means "not filled in"; a ticked box is "on"."""
    cleaned = dict(values)
    for f in form.fields:
        value = cleaned.get(f.key)
        if f.kind in ("number", "datetime") and (value is None or (isinstance(value, str) and not value.strip())):
            cleaned.pop(f.key, None)
        elif f.kind == "checkbox" and isinstance(value, str):
            cleaned[f.key] = value in ("on", "true", "1", "yes")
    return cleaned


def validate(form: CustomForm, values: Any, *, strict: bool) -> dict[str, Any]:
    """The values as the task data gets them (dates as YYYY-MM-DD), or FieldErrors."""
    if not isinstance(values, dict):
        raise FieldErrors({"values": "表单内容须为对象（字段名: 取值）"})
    model = model_for(form)
    data = parse(model, _blank_to_none(form, values) if not strict else values, strict=strict)
    out: dict[str, Any] = {}
    for f in form.fields:
        value = getattr(data, f.key)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        out[f.key] = value
    return out


def shown(form: CustomForm, values: dict[str, Any]) -> str:
    """The values as the case history shows them: 标签：取值；…"""
    parts = []
    for f in form.fields:
        value = values.get(f.key)
        if f.kind == "checkbox":
            text_value = "是" if value else "否"
        elif f.kind in ("select", "radio"):
            text_value = dict(f.options).get(value, value or "")
        elif f.kind == "filepicker":
            text_value = f"{len(value or [])}个附件"
        else:
            text_value = "" if value is None else str(value)
        parts.append(f"{f.label}：{text_value or '（未填）'}")
    return "；".join(parts)


# -- the employer's steps -----------------------------------------------------------------
def employer_steps(session: Session, case) -> list[InboxTask]:
    """The case's open custom-form steps in the employer's lane (the unit's 待办事项)."""
    return list(session.scalars(
        select(InboxTask)
        .where(InboxTask.case_id == case.id, InboxTask.role == EMPLOYER_ROLE, InboxTask.form == FORM_KEY)
        .order_by(InboxTask.created_at, InboxTask.task_id)
    ))


def employer_row(session: Session, user, task_id: str):
    """One open custom-form step of the employer's lane in a case of the user's own unit;
    anything else (another unit's, a staff step, another form, done) is 404."""
    from casework.models import CertificationCase, Placement, Unit
    from casework.review import InboxRow, _is_person

    task = session.get(InboxTask, task_id)
    case = session.get(CertificationCase, task.case_id) if task is not None else None
    if (
        task is None or case is None or task.role != EMPLOYER_ROLE or task.form != FORM_KEY
        or user.role != EMPLOYER_ROLE or user.unit_id is None or case.unit_id != user.unit_id
    ):
        raise NotFound("未找到该事项，可能已经提交")
    placement = session.get(Placement, task.subject_id) if _is_person(task) else None
    return InboxRow(task, case, session.get(Unit, case.unit_id), placement)


def employer_history(session: Session, case) -> list:
    """What the unit itself filled in on the case's custom-form steps, oldest first."""
    from casework.models import DecisionRecord

    return list(session.scalars(
        select(DecisionRecord)
        .where(DecisionRecord.case_id == case.id, DecisionRecord.form == FORM_KEY,
               DecisionRecord.role == EMPLOYER_ROLE)
        .order_by(DecisionRecord.at, DecisionRecord.id)
    ))


def fill(session: Session, system: System, user, task_id: str, data: CustomFormInput, ip: str = "") -> str:
    """Validate the values against the step's own form, complete the task with them (a
    page's values are text and parse as such; JSON is held to its types). Staff work
    their inbox's steps, an employer its own unit's."""
    strict = not data.page
    from casework.review import task_for

    if user.role == EMPLOYER_ROLE:
        row = employer_row(session, user, task_id)
    else:
        row = task_for(session, user, task_id)
    if row.task.form != FORM_KEY:
        raise DomainError("该任务不是自定义表单步骤")
    form = form_of(row.task.props or {})
    values = dict(data.values)
    if form.upload is not None:
        values[form.upload.key] = list(data.attachment_ids) or values.get(form.upload.key) or []
    clean = validate(form, values, strict=strict)
    if form.upload is not None:
        wanted = clean[form.upload.key]
        found = attachments_of(session, wanted, row.case.unit_id)
        if len(found) != len(set(wanted)):
            raise FieldErrors({form.upload.key: "附件不存在或不属于该单位"})
    summary = shown(form, clean)
    add_record(session, system, user, row, outcome="filled", label="已填写", reason=summary[:2000], detail=clean,
               attachment_ids=clean.get(form.upload.key, []) if form.upload else [])
    system.runtime.complete_task(session, task_id, clean, actor=user.login)
    record(session, user, row.task.title or "自定义表单", case_id=row.case.id,
           target=row.task.subject_ref or row.case.ref, detail=clean, ip=ip)
    return "已提交"


def page_input(form: dict) -> dict:
    """Every field of the page (the command knows which the step's form has)."""
    return {"values": {k: v for k, v in form.items() if k != "csrf_token"}, "page": True}


def custom_context(session: Session, row) -> dict:
    from casework.decisions import decision_context

    context = decision_context(session, row)
    try:
        context["custom"] = form_of(row.task.props or {})
    except DomainError as exc:
        context["custom"], context["custom_problem"] = None, exc.message
    return context


def employer_context(session: Session, row) -> dict:
    """What the unit's page shows: the step's form (or why it cannot be shown) and what the
    unit filled in on the case's earlier steps; never the staff's history."""
    context: dict[str, Any] = {"history": employer_history(session, row.case)}
    try:
        context["custom"] = form_of(row.task.props or {})
    except DomainError as exc:
        context["custom"], context["custom_problem"] = None, exc.message
    return context


# One key in any lane: staff fill it in the workbench (its page is the template below), a
# unit on its own pages (the `home.step` endpoint) and `POST /api/v1/case/steps/{id}`.
register_form(TaskForm(
    key=FORM_KEY, title="自定义表单", roles=STAFF, also_roles=EMPLOYER, subject="any", writes=(),
    page="review/custom_form.html", api="POST /api/v1/tasks/{task_id}/form",
    help="按流程管理员设计的表单填写并提交",
    input=CustomFormInput, command=fill, page_input=page_input, settings=(SCHEMA_PROPERTY,),
    settings_check=settings_problem, context=custom_context,
))
