"""Excel exports (导出Excel) of the lists users work with, built with openpyxl.
ID numbers are masked as on screen."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from casework.models import CertificationCase
from casework.placements import people_of
from domain.certificate import mask_certificate_number
from domain.id_number import mask_id_number
from engine.clock import china_time

PLACEMENT_COLUMNS = (
    ("序号", 6), ("姓名", 10), ("身份证号", 22), ("残疾证号", 26), ("安置登记(月)", 12), ("安置确认(月)", 12),
    ("安置核定(月)", 12), ("安置不通过(月)", 14), ("审核状态", 18), ("单位申报时间", 20), ("审核确认时间", 20),
)
INBOX_COLUMNS = (
    ("序号", 6), ("任务", 16), ("用人单位", 34), ("统一社会信用代码", 22), ("业务年度", 10), ("安置人员", 10),
    ("身份证号", 22), ("接收时间", 18), ("办理期限", 18), ("是否超期", 10),
)


def when(value) -> str:
    """A stored moment in China time (as the pages show it)."""
    return china_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def table_workbook(title: str, sheet: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence]) -> bytes:
    """One sheet: a bold title line, a header row, the rows; column widths as given."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([name for name, _ in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(list(row))
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def placements_workbook(session: Session, case: CertificationCase) -> bytes:
    """安置人员列表 of a case."""
    people = people_of(session, case.id)
    rows = (
        [
            i, p.name, mask_id_number(p.id_number),
            mask_certificate_number(p.certificates[0].number) if p.certificates else "",
            p.registered_months, p.confirmed_months, p.approved_months, p.rejected_months,
            p.status + (f"（{p.confirmed_by}）" if p.confirmed_by else ""), when(p.declared_at), when(p.confirmed_at),
        ]
        for i, p in enumerate(people, start=1)
    )
    return table_workbook(f"{case.unit.name} {case.year}年度安置人员列表", f"{case.year}年安置人员", PLACEMENT_COLUMNS, rows)


def inbox_workbook(items: Sequence, title: str) -> bytes:
    """待办任务 (rows of casework.review.inbox)."""
    rows = (
        [
            i, r.task.title, r.unit.name, r.unit.credit_code, r.case.year,
            r.placement.name if r.placement else "", mask_id_number(r.placement.id_number) if r.placement else "",
            when(r.task.created_at), when(r.task.due_at), "是" if r.overdue else "否",
        ]
        for i, r in enumerate(items, start=1)
    )
    return table_workbook(title, "待办任务", INBOX_COLUMNS, rows)


TAX_COLUMNS = (
    ("序号", 6), ("用人单位", 34), ("统一社会信用代码", 22), ("业务年度", 10), ("版本", 8), ("回执编号", 18),
    ("发送时间", 18), ("税务状态", 16), ("核对时间", 18), ("不一致原因", 40),
)


def tax_workbook(items: Sequence, title: str) -> bytes:
    """发送税务查询 (rows of casework.tax_exchange.submissions: submission, unit)."""
    rows = (
        [
            i, unit.name, unit.credit_code, row.year, "首次报送" if row.version == 1 else f"更正（第{row.version}版）",
            row.receipt_no, when(row.sent_at), row.status_name, when(row.checked_at), row.reason,
        ]
        for i, (row, unit) in enumerate(items, start=1)
    )
    return table_workbook(title, "发送税务查询", TAX_COLUMNS, rows)
