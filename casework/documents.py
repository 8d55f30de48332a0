"""Printable documents (PDF): the 申报资料真实性承诺书, the 注销业务申请书 and the
审核认定书 (printed from an issued certificate's frozen facts, with a QR code to its public
verification page; casework.signing signs it).

Generated with ReportLab and an embedded CJK TrueType font (WenQuanYi Micro Hei from
Debian's fonts-wqy-microhei, or another CJK TrueType font found on the machine) so the
file prints the same everywhere. Without any such font the standard Adobe CID font
STSong-Light is used, which viewers substitute; that fallback is logged.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casework import signing
from casework.models import CertificationCase, IssuedCertificate, Placement
from casework.qr import QrCode
from domain import regions
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
        "label": ParagraphStyle("label", fontName=font, fontSize=10.5, leading=18, textColor=colors.HexColor("#4a5568")),
        "number": ParagraphStyle("number", fontName=font, fontSize=10, leading=15, alignment=1, wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=12, alignment=1, wordWrap="CJK"),
        # a URL breaks anywhere (it has no spaces) and stays black enough to type from paper
        "url": ParagraphStyle("url", fontName="Courier", fontSize=7.5, leading=10, wordWrap="CJK"),
    }


def _build(story: list, title: str, footer: str = "") -> bytes:
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm, bottomMargin=20 * mm,
        title=title, author="按比例就业情况联网认证系统", subject=title,
    )

    def page_footer(canvas, _doc) -> None:
        if footer:
            canvas.saveState()
            canvas.setFont(cjk_font(), 8)
            canvas.setFillColor(colors.grey)
            canvas.drawCentredString(A4[0] / 2, 11 * mm, f"{footer}　第{canvas.getPageNumber()}页")
            canvas.restoreState()

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
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


def deregistration_pdf(case: CertificationCase, people: list[Placement]) -> bytes:
    """注销业务申请书 (001/002 下载注销业务申请书): the form a unit signs and stamps to end
    placement registrations of a year (单位注销安置登记), filled in with the unit and the
    year's placed persons; the reasons, the months and the 申请理由 are written by hand.
    A person already ended shows how."""
    s = _styles()
    font = cjk_font()
    unit = case.unit
    cell = s["cell"]
    facts = _facts_table([
        ("用人单位名称", escape(unit.name)),
        ("统一社会信用代码", unit.credit_code),
        ("残联主管部门", regions.label(case.region_code).replace("/", "")),
        ("业务年度", f"{case.year}年"),
    ])  # fmt: skip
    rows: list[list] = [["序号", "姓名", "身份证号", "安置登记(月)", "注销原因", "注销起始月份"]]
    for i, person in enumerate(people, start=1):
        ended = person.ended_from_month is not None
        rows.append([
            str(i), Paragraph(escape(person.name), cell), mask_id_number(person.id_number), str(person.registered_months),
            Paragraph(escape(person.end_reason or "已注销"), cell) if ended else "",
            Paragraph(f"已自{person.ended_from_month}月起注销", cell) if ended else "　　月",
        ])  # fmt: skip
    rows += [[str(i), "", "", "", "", "　　月"] for i in range(len(people) + 1, max(len(people), 3) + 1)]
    table = Table(rows, colWidths=[12 * mm, 26 * mm, 42 * mm, 24 * mm, 30 * mm, 32 * mm], repeatRows=1,
                  rowHeights=[8 * mm] + [9 * mm] * (len(rows) - 1))
    table.setStyle(_grid(font))
    reason = Table([[Paragraph("申请理由", s["label"]), ""]], colWidths=[24 * mm, 142 * mm], rowHeights=[34 * mm])
    reason.setStyle(TableStyle(_grid(font, header=False).getCommands() + [("VALIGN", (0, 0), (0, 0), "TOP")]))
    story = [
        Paragraph("注销业务申请书", s["title"]),
        facts,
        Spacer(1, 4 * mm),
        Paragraph(
            f"本单位申请注销{case.year}年度下列残疾人的按比例就业安置登记（单位整体注销的，注销全部人员），"
            "所提供信息真实、有效。注销后，自注销起始月份起的月份不再计入本单位安排残疾人就业人数。",
            s["indent"],
        ),
        Spacer(1, 2 * mm),
        Paragraph(
            "注销原因：安置人员注销填写离职、退休、死亡或其他；单位整体注销填写单位注销、单位合并或分立或其他。"
            "注销起始月份为离职、退休、死亡或注销日期所在月或其次月。",
            s["small"],
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 5 * mm),
        reason,
        Spacer(1, 10 * mm),
        Paragraph("经办人：______________　联系电话：______________", s["right"]),
        Paragraph("单位（盖章）：______________________", s["right"]),
        Paragraph("日期：________年______月______日", s["right"]),
        Spacer(1, 6 * mm),
        Paragraph(
            "说明：本申请书经单位负责人签字并加盖单位公章后，扫描或拍照，在网报系统“单位注销安置登记”中"
            "随注销申请一并上传（连同离职、退休、死亡或单位注销的证明材料），由残联审核。",
            s["small"],
        ),
    ]
    return _build(story, "注销业务申请书", footer=f"{unit.name}　{case.year}年度注销业务申请书")


def _grid(font: str, header: bool = True) -> TableStyle:
    rules = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa5b4")),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        rules.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3fa")))
    return TableStyle(rules)


def _facts_table(rows: list[tuple[str, str]], label_width: float = 36 * mm) -> Table:
    s = _styles()
    table = Table(
        [[Paragraph(label, s["label"]), Paragraph(value, s["body"])] for label, value in rows],
        colWidths=[label_width, 166 * mm - label_width],
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#d5dbe3")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))  # fmt: skip
    return table


def month_ranges(months: list[int]) -> str:
    """[1, 2, 3, 5, 7, 8] → "1–3、5、7–8月" (a whole year is "1–12月")."""
    parts: list[str] = []
    ordered = sorted(set(months))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ("、".join(parts) + "月") if parts else "—"


def _people_table(facts: dict) -> Table:
    s = _styles()
    font = cjk_font()
    cell = s["cell"]
    rows: list[list] = [["序号", "姓名", "身份证号", "认定安置月份", "计算系数", "安置确认(月)", "安置核定(月)"]]
    for i, person in enumerate(facts["people"], start=1):
        name = person["name"] + ("※" if person.get("double_counted") else "")
        rows.append([
            str(i), Paragraph(name, cell), person["id_number"],
            Paragraph(month_ranges(person["certified_months"]), cell),
            "×2" if person["weight"] >= 2 else "×1",
            str(person["confirmed_months"]), str(person["approved_months"]),
        ])  # fmt: skip
    totals = facts["totals"]
    rows.append(["合计", f"{totals['people']}人", "", "", "", str(totals["confirmed_months"]), str(totals["approved_months"])])
    table = Table(
        rows, colWidths=[11 * mm, 22 * mm, 40 * mm, 35 * mm, 16 * mm, 21 * mm, 21 * mm], repeatRows=1
    )
    style = _grid(font)
    style.add("FONTSIZE", (0, 0), (-1, 0), 8.5)
    style.add("SPAN", (1, -1), (4, -1))
    table.setStyle(style)
    return table


def _verification_block(certificate: IssuedCertificate, verify_url: str) -> Table:
    """QR code and its URL at the left, the issuing 残联 and the date at the right."""
    s = _styles()
    facts = certificate.facts
    left = [
        QrCode(verify_url, size=32 * mm),
        Paragraph("扫描二维码或访问下列网址，核验本认定书的真实性和当前状态：", s["small"]),
        Paragraph(verify_url, s["url"]),
    ]
    right = [
        Spacer(1, 12 * mm),
        Paragraph(f"审核机构：{facts['issuer']}", s["right"]),
        Paragraph(f"发证日期：{_date(certificate.issued_at)}", s["right"]),
    ]
    table = Table([[left, right]], colWidths=[60 * mm, 106 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0),
    ]))  # fmt: skip
    return table


def certificate_pdf(certificate: IssuedCertificate, verify_url: str) -> bytes:
    """审核认定书, printed from the certificate's facts (ID numbers masked), unsigned."""
    s = _styles()
    facts = certificate.facts
    year = facts["year"]
    totals = facts["totals"]
    title = f"{year}年度按比例安排残疾人就业审核认定书"
    number = f"编号：{certificate.number}"
    if certificate.version > 1:
        number += f"（更正版，第{certificate.version}版，取代编号{facts.get('replaces') or '—'}）"
    staff = facts.get("staff_count")
    quota = facts.get("quota_persons")
    ratio = facts.get("quota_ratio")
    story = [
        Paragraph(title, s["title"]),
        Paragraph(number, s["number"]),
        Spacer(1, 3 * mm),
        _facts_table([
            ("用人单位", facts["unit_name"]),
            ("统一社会信用代码", facts["credit_code"]),
            ("业务年度", f"{year}年"),
            ("残联主管部门", facts["region_label"].replace("/", "") or "—"),
            ("在职职工人数", f"{staff}人" if staff is not None else "未填报"),
            ("应安排人数", f"{quota}人（按比例{_percent(ratio)}计算，向上取整）" if quota is not None else "—"),
        ]),  # fmt: skip
        Spacer(1, 4 * mm),
        Paragraph(
            f"经审核，你单位{year}年度按比例安排残疾人就业{totals['people']}人，累计安置确认"
            f"{totals['confirmed_months']}个月，累计安置核定{totals['approved_months']}个月，"
            f"折合实际安排残疾人就业<b>{totals['actual_persons']}</b>人"
            "（安排1名一、二级残疾人证或一至三级残疾军人证持有者按2人计算，计算系数×2）。",
            s["indent"],
        ),
        Spacer(1, 3 * mm),
        _people_table(facts),
    ]
    if totals.get("double_counted"):
        shared = "；".join(
            f"{p['name']}：{month_ranges(p['shared_months'])}" for p in facts["people"] if p.get("double_counted")
        )
        story.append(Paragraph(
            f"※ 该人员在下列月份同时由其他单位安置登记，经残联审核认定后计入本单位：{shared}。", s["small"]
        ))  # fmt: skip
    story += [
        Spacer(1, 8 * mm),
        KeepTogether([_verification_block(certificate, verify_url)]),
        Spacer(1, 4 * mm),
        Paragraph(
            "本认定书由全国残疾人按比例就业情况联网认证系统生成，附审核机构电子签章；"
            "认定结果以残联报送税务部门的数据为准，认定书状态以核验页面为准。",
            s["small"],
        ),
    ]
    return _build(story, title, footer=certificate.number)


def _percent(ratio: str | None) -> str:
    if not ratio:
        return "—"
    return f"{(Decimal(ratio) * 100).normalize():f}%"


def signed_certificate_pdf(
    certificate: IssuedCertificate, verify_url: str, settings, now: datetime
) -> bytes:
    """The 审核认定书 as handed out: printed from its facts and signed by the office."""
    return signing.sign_pdf(
        certificate_pdf(certificate, verify_url),
        settings,
        now,
        reason=f"审核认定书 {certificate.number}",
        location=certificate.facts.get("issuer", ""),
    )


def _yuan(value: str | None) -> str:
    """An amount of the facts (a plain decimal string) in 元 to the fen: 9,900.00元."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}元"


def reward_certificate_pdf(certificate: IssuedCertificate, verify_url: str) -> bytes:
    """奖励审核认定书 (超比例奖励, 002), printed from the certificate's frozen facts (the
    payee's account masked), unsigned; laid out as the annual 审核认定书."""
    s = _styles()
    facts = certificate.facts
    year = facts["year"]
    title = f"{year}年度超比例安排残疾人就业奖励审核认定书"
    story = [
        Paragraph(title, s["title"]),
        Paragraph(f"编号：{certificate.number}", s["number"]),
        Spacer(1, 3 * mm),
        _facts_table([
            ("用人单位", facts["unit_name"]),
            ("统一社会信用代码", facts["credit_code"]),
            ("业务年度", f"{year}年"),
            ("残联主管部门", (facts.get("region_label") or "").replace("/", "") or "—"),
            ("申请方式", facts.get("channel") or "—"),
            ("上年度在职职工总数", f"{facts['staff_count']}人"),
            ("上年度安置残疾人数", f"{facts['placed_persons']}人（经按比例就业审核认定）"),
            ("安置比例残疾人数", f"{facts['quota_persons']}人（按规定比例计算，向上取整）"),
            ("超比例安置残疾人数", f"{facts['over_persons']}人"),
            ("安置系数", str(facts["coefficient"])),
            ("奖励基数", f"{_yuan(facts.get('base_amount'))}/人"),
            ("超比例奖励金额", f"<b>{_yuan(facts['amount'])}</b>"),
            ("收款单位名称", facts["payee_name"]),
            ("收款单位银行账户", facts["payee_account"]),
            ("收款单位开户银行", facts["payee_bank"]),
        ], label_width=42 * mm),  # fmt: skip
        Spacer(1, 4 * mm),
        Paragraph(
            f"{'经复核' if facts.get('channel') == '窗口代为申请' else '经初审、复审'}，你单位{year}年度安排残疾人就业{facts['placed_persons']}人，超过按比例应安排的"
            f"{facts['quota_persons']}人，超比例安置{facts['over_persons']}人，符合超比例奖励条件，"
            f"核定超比例奖励金额<b>{_yuan(facts['amount'])}</b>"
            f"（超比例安置残疾人数 × 安置系数{facts['coefficient']} × 奖励基数{_yuan(facts.get('base_amount'))}）。"
            "奖励资金按当地规定拨付至上列收款账户。",
            s["indent"],
        ),
        Spacer(1, 8 * mm),
        KeepTogether([_verification_block(certificate, verify_url)]),
        Spacer(1, 4 * mm),
        Paragraph(
            "本认定书由全国残疾人按比例就业情况联网认证系统生成，附审核机构电子签章；"
            "收款账户仅显示首尾四位，认定书状态以核验页面为准。",
            s["small"],
        ),
    ]
    return _build(story, title, footer=certificate.number)


def signed_reward_certificate_pdf(
    certificate: IssuedCertificate, verify_url: str, settings, now: datetime
) -> bytes:
    """The 奖励审核认定书 as handed out: printed from its facts and signed by the office."""
    return signing.sign_pdf(
        reward_certificate_pdf(certificate, verify_url),
        settings,
        now,
        reason=f"奖励审核认定书 {certificate.number}",
        location=certificate.facts.get("issuer", ""),
    )
