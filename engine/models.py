"""Engine tables: spec versions, instances, the inbox projection, the outbox, history.

The inbox and outbox are flat, indexed tables written in the same transaction as the
instance state, so a task list never reads serialized engine state (the lesson of
Flowable's and Camunda's task-list slowdowns, see ENGINE_NOTES) and a service-task job
is never lost between "state saved" and "job queued".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, Timestamped, utcnow

DRAFT, PUBLISHED = "draft", "published"


class SpecVersion(Base, Timestamped):
    """One distinct BPMN (+ DMN) content: a version of a process for a province (or national)."""

    __tablename__ = "spec_version"
    __table_args__ = (UniqueConstraint("process_id", "province", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    province: Mapped[str] = mapped_column(String(6), default="")  # "" = national default
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # the version's DMN document (decision tables its business-rule tasks call); "" = none.
    # Part of the version's content: a running case keeps the rules it started with.
    dmn_xml: Mapped[str] = mapped_column(Text, default="", server_default="")
    name: Mapped[str] = mapped_column(String(200), default="")
    # the published version in force for (process_id, province); at most one per pair
    is_current: Mapped[bool] = mapped_column(default=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # V1, V2, ... per (process, province)
    state: Mapped[str] = mapped_column(String(20), default=PUBLISHED)  # draft / published
    source: Mapped[str] = mapped_column(String(20), default="file")  # file / upload / modeler
    created_by: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    published_by: Mapped[str] = mapped_column(String(100), default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ProcessInstance(Base, Timestamped):
    """A running or finished BPMN instance; `state` is the serialized workflow without specs."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_timer", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spec_version_id: Mapped[int] = mapped_column(ForeignKey("spec_version.id"))
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    case_ref: Mapped[str] = mapped_column(String(100), index=True)  # e.g. "case:12"
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the case row, for joins
    subject_ref: Mapped[str] = mapped_column(String(100), default="", index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the subject row
    # what a task list searches by, given by the caller: the case's and the subject's
    # names and numbers (copied onto inbox rows, so a search never joins the case tables)
    case_label: Mapped[str] = mapped_column(String(300), default="")
    subject_label: Mapped[str] = mapped_column(String(300), default="")
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # jurisdiction
    status: Mapped[str] = mapped_column(String(20), default="running")  # running/completed/cancelled
    state: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # Every UPDATE checks and bumps the revision (UPDATE ... WHERE revision = :loaded):
    # a state written from a stale load fails with StaleDataError instead of silently
    # overwriting a newer step. The runtime also holds the row lock, so this is the net.
    __mapper_args__ = {"version_id_col": revision}


class InboxTask(Base):
    """A READY human task, projected for task lists (role = lane, jurisdiction = region)."""

    __tablename__ = "inbox_task"
    __table_args__ = (Index("ix_inbox_role_region", "role", "region_code", "due_at"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    process_id: Mapped[str] = mapped_column(String(100))
    task_name: Mapped[str] = mapped_column(String(100))  # BPMN id, e.g. manual_review
    title: Mapped[str] = mapped_column(String(200))  # BPMN name, e.g. 安置登记审核
    form: Mapped[str] = mapped_column(String(100), default="")
    props: Mapped[dict] = mapped_column(JSON, default=dict)  # the form's settings in the diagram
    role: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(String(6))
    # ",login,login," of those the diagram's exclude_actor keeps off this task ("" = none)
    excluded_actors: Mapped[str] = mapped_column(String(300), default="", server_default="")
    case_ref: Mapped[str] = mapped_column(String(100), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    subject_ref: Mapped[str] = mapped_column(String(100), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    case_label: Mapped[str] = mapped_column(String(300), default="")
    subject_label: Mapped[str] = mapped_column(String(300), default="")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # who is working on it (a claim, or a supervisor's assignment); None = the whole role
    assignee: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxJob(Base, Timestamped):
    """A service-task request waiting for a worker; the engine task id is the idempotency key."""

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    operation: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending/done/cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TaskEvent(Base):
    """History: who completed which task of which instance with what data, and when."""

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    task_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # human/service/timer/start/cancel
    actor: Mapped[str] = mapped_column(String(100), default="")
    data: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LaneRole(Base):
    """A lane name a diagram may use, and the role whose inbox its tasks land in."""

    __tablename__ = "lane_role"

    lane: Mapped[str] = mapped_column(String(50), primary_key=True)  # e.g. 残联业务人员
    role: Mapped[str] = mapped_column(String(20))  # e.g. reviewer
    staff: Mapped[bool] = mapped_column(default=True)  # works a staff inbox


class EngineSetting(Base):
    """Small key/value settings shared by web and worker processes (the demo clock, holidays)."""

    __tablename__ = "engine_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
