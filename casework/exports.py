"""Excel exports (导出Excel) of lists users work with, built with openpyxl."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.models import CertificationCase, Placement
from domain.certificate import mask_certificate_number
from domain.id_number import mask_id_number

PLACEMENT_COLUMNS = (
    "序号", "姓名", "身份证号", "残疾证号", "安置登记(月)", "安置确认(月)", "安置核定(月)",
    "安置不通过(月)", "审核状态", "单位申报时间", "审核确认时间",
)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def placements_workbook(session: Session, case: CertificationCase) -> bytes:
    """安置人员列表 of a case; ID and certificate numbers masked as on screen."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{case.year}年安置人员"
    ws.append([f"{case.unit.name} {case.year}年度安置人员列表"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(PLACEMENT_COLUMNS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    people = session.scalars(
        select(Placement).where(Placement.case_id == case.id, Placement.removed.is_(False)).order_by(Placement.id)
    )
    for i, p in enumerate(people, start=1):
        cert = p.certificates[0].number if p.certificates else ""
        ws.append([
            i, p.name, mask_id_number(p.id_number), mask_certificate_number(cert) if cert else "",
            p.registered_months, p.confirmed_months, p.approved_months, p.rejected_months,
            p.status + (f"（{p.confirmed_by}）" if p.confirmed_by else ""),
            _when(p.declared_at), _when(p.confirmed_at),
        ])
    for column, width in zip("ABCDEFGHIJK", (6, 10, 22, 26, 12, 12, 12, 14, 18, 20, 20), strict=True):
        ws.column_dimensions[column].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
