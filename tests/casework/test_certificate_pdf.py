"""The 审核认定书 PDF: printed from the certificate's frozen facts (unit, year, staff, quota,
people with masked ID numbers, certified months, weights, the double-counted footnote,
totals, the QR link), every page visibly rendered, and a PAdES signature that pyHanko's
validator accepts and one changed byte breaks."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from casework import certificates, documents, signing
from casework.models import CertificationCase, Unit
from tests.certkit import add_certified_person, certified_case, declared, id_number

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
URL = "https://rz.example.gov.cn/verify/"


def _issued(system, employer, people: int = 2):
    """A case with `people` certified people, issued twice (the second is a correction)."""
    unit, user = employer
    case_id = certified_case(system, unit.id, user)
    now = system.runtime.clock.now()
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        add_certified_person(s, case, "王一", id_number(1), list(range(1, 13)))
        add_certified_person(s, case, "李二", id_number(2), [1, 2, 3, 7, 8], weight=2, shared=(7, 8))
        for n in range(3, people + 1):
            add_certified_person(s, case, f"赵{n}", id_number(n), list(range(1, 13)))
        declared(case, now)
        first = certificates.issue(s, case, now)
        second = certificates.issue(s, case, now + timedelta(days=1))
        s.expunge_all()
    return first, second


def _text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def _render(data: bytes, tmp_path: Path) -> list[Image.Image]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run([pdftoppm, "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True, timeout=60)
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page-*.png"))]


def _not_blank(image: Image.Image) -> bool:
    dark = sum(image.histogram()[:128])
    return dark > 0.005 * image.width * image.height


def test_certificate_prints_the_frozen_facts(system, employer, tmp_path):
    unit, _user = employer
    first, second = _issued(system, employer)
    data = documents.certificate_pdf(second, URL + second.token)
    text = _text(data)
    flat = re.sub(r"\s+", "", text)
    for fragment in (
        "2025年度按比例安排残疾人就业审核认定书", unit.name, unit.credit_code, second.number,
        "更正版", first.number, "在职职工人数", f"{unit.staff_last_year}人", "应安排人数",
        "王一", "李二※", id_number(1)[:6] + "*****" + id_number(1)[11:], "1–12月", "1–3、7–8月",
        "×2", "22", "1.83", "残疾人联合会", "2026年4月16日",
    ):  # fmt: skip
        assert re.sub(r"\s+", "", fragment) in flat, fragment
    assert "※该人员在下列月份同时由其他单位安置登记" in flat and "李二：7–8月" in flat
    assert URL + second.token in flat, "the verification URL is printed under the QR code"
    assert id_number(1) not in flat, "never a full ID number"
    pages = _render(data, tmp_path)
    assert len(pages) == len(PdfReader(BytesIO(data)).pages) == 1
    assert all(_not_blank(p) for p in pages)
    # the first version says nothing of a correction
    assert "更正版" not in _text(documents.certificate_pdf(first, URL + first.token))


def test_a_long_list_spans_pages_all_rendered(system, employer, tmp_path):
    _first, second = _issued(system, employer, people=45)
    data = documents.certificate_pdf(second, URL + second.token)
    pages = _render(data, tmp_path)
    assert len(pages) >= 2 and all(_not_blank(p) for p in pages)
    assert "赵45" in _text(data)


def _validate(data: bytes, trusted) -> object:
    reader = PdfFileReader(BytesIO(data))
    [signature] = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[trusted]))


def test_signature_validates_and_one_changed_byte_breaks_it(system, employer):
    _first, second = _issued(system, employer)
    now = system.runtime.clock.now()
    data = documents.signed_certificate_pdf(second, URL + second.token, system.settings, now)
    assert (Path(system.settings.var_dir) / signing.DEMO_FILE).exists(), "the demo key is made on first use"
    trusted = signing.identity(system.settings).certificate
    status = _validate(data, trusted)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.signer_reported_dt == now.replace(microsecond=0), "signed at the engine clock's time"
    assert "演示残疾人联合会" in status.signing_cert.subject.human_friendly
    assert _text(data).count(second.number) >= 1  # still the same document

    # one byte inside a content stream (within the signed range) flipped
    at = data.index(b"stream") + 40
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    broken = _validate(tampered, trusted)
    assert not broken.intact and not broken.bottom_line

    # a certificate nobody trusts: intact, but not trusted
    other = signing.identity(type(system.settings)(var_dir=system.settings.var_dir / "other")).certificate
    assert not _validate(data, other).trusted


def test_a_configured_office_key_is_used(system, employer, tmp_path):
    _first, second = _issued(system, employer)
    bundle = signing._demo_pem()
    key_pem, cert_pem = bundle.split(b"-----BEGIN CERTIFICATE-----")
    (tmp_path / "office.key").write_bytes(key_pem)
    (tmp_path / "office.crt").write_bytes(b"-----BEGIN CERTIFICATE-----" + cert_pem)
    settings = type(system.settings)(
        var_dir=tmp_path / "var", signing_key_file=str(tmp_path / "office.key"),
        signing_cert_file=str(tmp_path / "office.crt"),
    )  # fmt: skip
    data = documents.signed_certificate_pdf(second, URL + second.token, settings, system.runtime.clock.now())
    assert _validate(data, signing.identity(settings).certificate).bottom_line
    assert not (tmp_path / "var" / signing.DEMO_FILE).exists(), "no demo key when one is configured"


def test_release_certificate_issues_one(system, employer):
    """The diagram's script task issues the certificate (the engine step's session)."""
    from casework.flow_functions import release_certificate
    from engine.context import StepContext, step_context
    from engine.db import as_utc
    from engine.models import ProcessInstance

    unit, user = employer
    case_id = certified_case(system, unit.id, user)
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        add_certified_person(s, case, "王一", id_number(1), list(range(1, 13)))
        instance = case.instance_id
    now = system.runtime.clock.now()
    with system.transaction() as s:
        with step_context(StepContext(session=s, instance=s.get(ProcessInstance, instance), now=now)):
            release_certificate(case_id)
        case = s.get(CertificationCase, case_id)
        issued = certificates.current(s, case)
        assert as_utc(case.certificate_ready_at) == now and issued is not None
        assert issued.facts["unit_name"] == s.get(Unit, unit.id).name
