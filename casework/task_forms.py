"""Task forms: what a diagram's user task is, found by the form key it names.

A user task in a diagram says `form = placement_review`; it never matters what the task's
id or name is. This registry says what each form is: its title (an inbox tab), the roles
whose lanes may use it, what it works on (a person or a whole case), the task data it
writes, the page that shows it and the API operation that completes it, and, for the
staff forms the workbench drives generically, the command that validates the input and
completes the task. Pages, the API, the inbox and the exports find a task's screen here,
so renaming or moving a task in a diagram breaks nothing, and a diagram naming a form that
is not registered is refused when it is loaded (`check_form`, given to the engine's
spec registry).

The modules that own a form register it (`OWNERS`); `load_forms` imports them, and
`build_system` calls it before any diagram is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import DomainError
from engine.models import InboxTask

EMPLOYER = frozenset({"employer"})
STAFF = None  # any role that works a staff inbox (the lane table says which)


@dataclass(frozen=True)
class TaskForm:
    key: str
    title: str  # the inbox tab and the page heading when the diagram gives no name
    roles: frozenset[str] | None  # lanes whose role may hold it; None: any staff role
    subject: str  # "placement" (one person) or "case" (the unit's whole year)
    writes: tuple[str, ...]  # the task data it completes the task with
    page: str  # the template (staff) or endpoint (employer) that shows it
    api: str  # the API operation that completes it
    help: str = ""  # what the user is asked to do, shown on the page
    # Staff forms the workbench completes generically: the declaration of the input (the
    # API validates JSON with it, the page its form text), `page_input` turning the page's
    # fields into that input, and the command (session, system, user, task_id, input, ip)
    # that validates what needs the case, completes the task and says what it did.
    input: type | None = None
    command: Callable | None = None
    page_input: Callable | None = None
    api_status: int = 200
    context: Callable | None = None  # (session, row) → what the page shows besides the row
    settings: tuple[str, ...] = field(default=())  # diagram properties the form reads
    settings_check: Callable[[dict], str | None] | None = None  # those properties, at load
    # roles that may hold it besides `roles` (自定义表单: any staff lane and the employer's)
    also_roles: frozenset[str] = frozenset()

    def allowed_roles(self, staff_roles: frozenset[str]) -> frozenset[str]:
        """The lane roles that may hold it, given which roles work a staff inbox."""
        return frozenset(staff_roles if self.roles is STAFF else self.roles) | self.also_roles


FORMS: dict[str, TaskForm] = {}
OWNERS = (
    "casework.placements", "casework.cases", "casework.review", "casework.decisions", "casework.supervision",
    "casework.custom_forms", "casework.window_step", "casework.reward_applications",
    "casework.levy_relief", "casework.graduate_subsidy", "casework.placement_end",
)


def load_forms() -> dict[str, TaskForm]:
    """Import the modules that register the forms (before any diagram is checked)."""
    import importlib

    for name in OWNERS:
        importlib.import_module(name)
    return FORMS


def registry_state() -> str:
    """Which forms are registered, each by key and object: a diagram's check consults
    them, so this names them for engine.validation.rules_key (a form registered or
    replaced since makes another key)."""
    return repr(sorted((key, id(form)) for key, form in FORMS.items()))


def register_form(form: TaskForm) -> TaskForm:
    FORMS[form.key] = form
    return form


def form_of(key: str) -> TaskForm:
    try:
        return FORMS[key]
    except KeyError:
        raise DomainError(f"表单“{key}”未注册，该任务无法在系统中办理") from None


def title_of(key: str) -> str:
    """A form's title (an inbox tab); a key no longer registered shows as itself."""
    form = FORMS.get(key)
    return form.title if form else key


def check_form(key: str, role: str, props: dict, staff_roles: frozenset[str]) -> str | None:
    """The engine's question at load time: may a task in a lane of `role`, with these
    diagram properties, use form `key`?"""
    if not key:
        return "未指定表单（form属性）"
    form = FORMS.get(key)
    if form is None:
        known = "、".join(sorted(FORMS))
        return f"表单“{key}”未注册（可用的表单：{known}）"
    if role not in form.allowed_roles(staff_roles):
        return f"表单“{key}”（{form.title}）不能用于该泳道的角色（{role}）"
    return form.settings_check(props) if form.settings_check else None


def staff_forms() -> list[TaskForm]:
    """The forms the workbench completes itself (each has a declared input and a command)."""
    return [f for f in FORMS.values() if f.command is not None and f.input is not None]


def task_with_form(session: Session, instance_id: int | None, form_key: str) -> InboxTask | None:
    """The READY task of an instance that uses `form_key`, if there is one now."""
    if instance_id is None:
        return None
    return session.scalar(
        select(InboxTask).where(InboxTask.instance_id == instance_id, InboxTask.form == form_key).limit(1)
    )


def require_form(session: Session, instance_id: int | None, form_key: str, message: str) -> InboxTask:
    """The task a command completes, found by its form; `message` says why it cannot be."""
    task = task_with_form(session, instance_id, form_key)
    if task is None:
        raise DomainError(message)
    return task
