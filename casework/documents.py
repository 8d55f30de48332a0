"""Printable documents (PDF): the 申报资料真实性承诺书 and the 审核认定书 of a case.

Generated with ReportLab and an embedded CJK TrueType font (WenQuanYi Micro Hei from
Debian's fonts-wqy-microhei, or another CJK TrueType font found on the machine) so the
file prints the same everywhere. Without any such font the standard Adobe CID font
STSong-Light is used, which viewers substitute; that fallback is logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from casework.models import CertificationCase
from casework.placements import people_of
from domain import regions
from domain.counting import persons_from_months
from domain.id_number import mask_id_number
from engine.clock import china_time

log = logging.getLogger(__name__)

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register and return the name of a CJK font (embedded when a TrueType one exists)."""
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            kwargs = {"subfontIndex": index} if index is not None else {}
            pdfmetrics.registerFont(TTFont("QuotaCJK", path, **kwargs))
            return "QuotaCJK"
    log.warning("no CJK TrueType font found; PDFs use the non-embedded STSong-Light")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm),
        "body": ParagraphStyle("body", fontName=font, fontSize=11, leading=19, wordWrap="CJK"),
        "indent": ParagraphStyle("indent", fontName=font, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22),
        "right": ParagraphStyle("right", fontName=font, fontSize=11, leading=20, alignment=2),
        "small": ParagraphStyle("small", fontName=font, fontSize=9, leading=13, wordWrap="CJK", textColor=colors.grey),
    }


def _build(story: list, title: str) -> bytes:
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=20 * mm,
        title=title, author="按比例就业情况联网认证系统", subject=title,
    )
    doc.build(story)
    return out.getvalue()


def _date(value: datetime | None) -> str:
    if value is None:
        return "    年  月  日"
    local = china_time(value)
    return f"{local.year}年{local.month}月{local.day}日"


def pledge_pdf(case: CertificationCase) -> bytes:
    """申报资料真实性承诺书 (003 附件 / 001 第六步), filled in for the unit and year."""
    s = _styles()
    items = [
        "用人单位信息；",
        f"{case.year}年安排就业的残疾人信息；",
        "残疾人证/残疾军人证信息；",
        "劳动合同/劳务派遣协议/残疾人在编证明；",
        "残疾人参保缴费信息；",
        "发放给残疾人的工资信息。",
    ]
    story = [
        Paragraph("申报资料真实性承诺书", s["title"]),
        Paragraph(f"<u>{case.unit.name}</u>（用人单位）郑重承诺：", s["body"]),
        Spacer(1, 3 * mm),
        Paragraph(
            f"在办理{case.year}年度按比例安排残疾人就业审核认定事项中所提交的下列材料真实、有效，"
            "复印件与原件一致。如有隐瞒或提供的材料虚假，愿意承担一切法律后果。",
            s["indent"],
        ),
        Spacer(1, 2 * mm),
        *[Paragraph(f"{i}. {text}", s["indent"]) for i, text in enumerate(items, start=1)],
        Spacer(1, 18 * mm),
        Paragraph(f"用人单位名称（章）：{case.unit.name}", s["right"]),
        Paragraph("法定代表人或授权经办人签名：__________________", s["right"]),
        Paragraph(_date(case.declared_at), s["right"]),
    ]
    return _build(story, "申报资料真实性承诺书")


def certificate_pdf(session: Session, case: CertificationCase) -> bytes:
    """审核认定书: the certified placements of the case (ID numbers masked, as in lists)."""
    s = _styles()
    font = cjk_font()
    people = people_of(session, case.id)
    confirmed = sum(p.confirmed_months for p in people)
    approved = sum(p.approved_months for p in people)
    unit = case.unit
    rows = [["序号", "姓名", "身份证号", "安置确认(月)", "安置核定(月)", "审核状态"]]
    rows += [
        [str(i), p.name, mask_id_number(p.id_number), str(p.confirmed_months), str(p.approved_months), p.status]
        for i, p in enumerate(people, start=1)
    ]
    rows.append(["合计", f"{len(people)}人", "", str(confirmed), str(approved), ""])
    table = Table(rows, colWidths=[12 * mm, 22 * mm, 46 * mm, 26 * mm, 26 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa5b4")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [
        Paragraph(f"{case.year}年度按比例安排残疾人就业审核认定书", s["title"]),
        Paragraph(f"用人单位：{unit.name}", s["body"]),
        Paragraph(f"统一社会信用代码：{unit.credit_code}", s["body"]),
        Paragraph(f"残联主管部门：{regions.label(case.region_code)}", s["body"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"经审核，你单位{case.year}年度安排残疾人就业{len(people)}人，累计安置确认{confirmed}个月，"
            f"累计安置核定{approved}个月，折合实际安排残疾人就业{persons_from_months(approved)}人"
            "（安排1名一、二级残疾人证或一至三级残疾军人证持有者按2人计算）。",
            s["indent"],
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 12 * mm),
        Paragraph(f"完成申报时间：{_date(case.declared_at)}", s["right"]),
        Paragraph("审核机构（章）", s["right"]),
        Spacer(1, 8 * mm),
        Paragraph("本认定书由全国残疾人按比例就业情况联网认证系统生成，认定结果以残联报送税务部门的数据为准。", s["small"]),
    ]
    return _build(story, f"{case.year}年度按比例安排残疾人就业审核认定书")
