"""The 奖励审核认定书 PDF: printed from the reward certificate's frozen facts (unit, year,
the 超比例奖励信息 figures, the amount in 元 to the fen, the payee with its account
masked, the QR link and the number in the footer), signed as the annual 审核认定书 is: a
PAdES signature pyHanko's validator accepts and one changed byte breaks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from casework import documents, reward_certificates, signing
from casework.models import IssuedCertificate, RewardApplication

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
URL = "https://rz.example.gov.cn/verify/"


def _certificate(system, employer) -> IssuedCertificate:
    """A reward certificate as `reward_certificates.issue` makes it (facts from `snapshot`)."""
    unit, user = employer
    application = RewardApplication(
        id=42, unit_id=unit.id, case_id=1, year=2025, region_code="210302", channel="employer", filed_by=user.login,
        staff_count=30, placed_persons=Decimal("2.5000"), quota_persons=1, over_persons=Decimal("1.5000"),
        coefficient=Decimal("1.5000"), base_amount=Decimal("6600.00"), amount=Decimal("14850.00"),
        payee_name="鞍山示范单位", payee_account="6222000012345678", payee_bank="中国银行鞍山分行",
    )  # fmt: skip
    with system.transaction() as s:
        facts = reward_certificates.snapshot(s, application)
    return IssuedCertificate(
        case_id=1, unit_id=unit.id, year=2025, region_code="210302", kind="reward", version=1,
        number=reward_certificates.reward_number(application), token="tok-reward-42", status="valid",
        status_reason="", issued_at=datetime(2026, 5, 6, 2, 0, tzinfo=UTC), facts=facts,
    )  # fmt: skip


def _text(data: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages))


def test_the_pdf_prints_the_frozen_facts(system, employer):
    certificate = _certificate(system, employer)
    data = documents.reward_certificate_pdf(certificate, URL + certificate.token)
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 1 and reader.metadata.title == "2025年度超比例安排残疾人就业奖励审核认定书"
    text = _text(data)
    for expected in (
        "2025年度超比例安排残疾人就业奖励审核认定书", "编号：JL-2025-210302-000042", certificate.facts["unit_name"],
        "上年度在职职工总数30人", "上年度安置残疾人数2.5人", "安置比例残疾人数1人", "超比例安置残疾人数1.5人",
        "安置系数1.5", "6,600.00元/人", "14,850.00元", "鞍山示范单位", "6222********5678", "中国银行鞍山分行",
        URL + certificate.token, "发证日期：2026年5月6日",
    ):
        assert expected in text, expected
    assert "6222000012345678" not in text, "the account is printed masked"
    assert documents.cjk_font() != "QuotaCJK" or b"/FontFile2" in data, "the CJK font is embedded"


def test_signed_like_the_annual_one_and_one_changed_byte_breaks_it(system, employer):
    certificate = _certificate(system, employer)
    now = system.runtime.clock.now()
    data = documents.signed_reward_certificate_pdf(certificate, URL + certificate.token, system.settings, now)
    trusted = signing.identity(system.settings).certificate
    [signature] = PdfFileReader(BytesIO(data)).embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[trusted]))
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.signer_reported_dt == now.replace(microsecond=0)
    assert certificate.number in _text(data)

    at = data.index(b"stream") + 40
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    [broken] = PdfFileReader(BytesIO(tampered)).embedded_signatures
    assert not validate_pdf_signature(broken, ValidationContext(trust_roots=[trusted])).intact
