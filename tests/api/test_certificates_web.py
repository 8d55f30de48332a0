"""审核认定书 on the web: the public /verify/<token> page and its API twin (有效 / 已撤回 /
已被更正, never a person's name or ID number; anything else a Chinese 404), the employer's
signed download (refused once withdrawn), the 注销业务申请书, and the staff's 电子案卷
(a bookmark per person; another region's reviewer gets 404, an employer 403)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from casework import certificates, signing
from casework.models import CertificationCase, Unit, User
from tests.api.conftest import api_login
from tests.api.files import pdf_bytes, png_bytes
from tests.api.test_journey import UNIT
from tests.api.test_pages import page_login
from tests.certkit import add_certified_person, declared, id_number, upload

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _case(app) -> int:
    """The demo unit's case with two certified people, declared and released."""
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        from casework import cases

        case = cases.open_case(s, system, unit, system.settings.business_year, user.login)
        add_certified_person(s, case, "王一", id_number(1), list(range(1, 13)))
        add_certified_person(s, case, "李二", id_number(2), [1, 2, 3], weight=2)
        declared(case, system.runtime.clock.now())
        return case.id


def _issue(app, case_id: int, days: int = 0):
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        issued = certificates.issue(s, s.get(CertificationCase, case_id), system.runtime.clock.now() + timedelta(days=days))
        return issued.token, issued.number


def _withdraw(app, case_id: int):
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        certificates.withdraw(s, s.get(CertificationCase, case_id), system.runtime.clock.now() + timedelta(days=3), "年审申报撤回")


def test_verify_page_valid_superseded_withdrawn(app):
    case_id = _case(app)
    first, first_number = _issue(app, case_id)
    client = app.test_client()  # nobody logged in

    page = client.get(f"/verify/{first}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "有效" in html and first_number in html and UNIT in html and "2026-04-15" in html
    assert "2人" in html and "1.50人" in html  # 12 + 3×2 = 18 months → 1.50
    assert "王一" not in html and id_number(1)[11:] not in html and "*****" not in html, "no names or ID numbers"
    assert "<script>" not in html and "style=" not in html, "CSP: no inline script or style"

    second, second_number = _issue(app, case_id, days=1)
    html = client.get(f"/verify/{first}").get_data(as_text=True)
    assert "已被更正" in html and second_number in html and f'href="/verify/{second}"' in html
    html = client.get(f"/verify/{second}").get_data(as_text=True)
    assert "有效" in html and "更正版" in html and first_number in html

    _withdraw(app, case_id)
    html = client.get(f"/verify/{second}").get_data(as_text=True)
    assert "已撤回" in html and "年审申报撤回" in html and "2026-04-18" in html


@pytest.mark.parametrize(
    "token",
    ["x" * 5000, "有效证书有效证书有效证书有效证书有效证书", "abc%00def" * 4, "%00", "A" * 32, "..%2f..%2fetc", "%E2%80%AE" * 12],
    ids=["long", "unicode", "nul-inside", "nul", "unknown", "dots", "rtl"],
)
def test_unknown_or_malformed_tokens_are_chinese_404s(app, token):
    client = app.test_client()
    # a token decoding to a "/" matches no route: the site's own Chinese 404
    said = ("未找到该审核认定书", "您访问的页面或记录不存在")
    page = client.get(f"/verify/{token}")
    assert page.status_code == 404 and any(s in page.get_data(as_text=True) for s in said)
    api = client.get(f"/api/v1/verify/{token}")
    assert api.status_code == 404 and any(s in api.get_json()["error"] for s in said)


def test_api_twin(app):
    case_id = _case(app)
    first, first_number = _issue(app, case_id)
    second, second_number = _issue(app, case_id, days=1)
    client = app.test_client()
    body = client.get(f"/api/v1/verify/{first}").get_json()
    assert body["status"] == "superseded" and body["status_name"] == "已被更正"
    assert body["superseded_by"] == {"number": second_number, "token": second}
    assert body["credit_code"] == UNIT and body["people"] == 2 and body["actual_persons"] == "1.50"
    assert "王一" not in str(body)
    current = client.get(f"/api/v1/verify/{second}").get_json()
    assert (current["status"], current["version"], current["replaces"]) == ("valid", 2, first_number)
    assert current["issued_at"].startswith("2026-04-16T10:00") and current["issued_at"].endswith("+08:00")
    # an expired bearer token on a public operation is a 401, as documented
    assert client.get(f"/api/v1/verify/{second}", headers={"Authorization": "Bearer nope"}).status_code == 401
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/verify/{token}"]["get"]
    assert operation["security"] == [] and set(operation["responses"]) >= {"200", "404"}


def _signed_ok(app, data: bytes) -> bool:
    trusted = signing.identity(app.extensions["quotacert"].settings).certificate
    [signature] = PdfFileReader(BytesIO(data)).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[trusted])).bottom_line


def test_employer_downloads_the_signed_certificate_until_withdrawn(app):
    case_id = _case(app)
    token, number = _issue(app, case_id)
    page = page_login(app, UNIT)
    response = page.get("/placements/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert _signed_ok(app, response.data)
    assert number in "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    headers = api_login(app.test_client(), UNIT)
    api = app.test_client().get("/api/v1/case/certificate.pdf", headers=headers)
    assert api.status_code == 200 and _signed_ok(app, api.data)
    assert token.encode() in b"".join(
        (p.extract_text() or "").replace("\n", "").encode() for p in PdfReader(BytesIO(api.data)).pages
    )

    _withdraw(app, case_id)
    refused = page.get("/placements/certificate.pdf", follow_redirects=True)
    assert refused.mimetype == "text/html" and "已于2026年04月18日撤回" in refused.get_data(as_text=True)
    api = app.test_client().get("/api/v1/case/certificate.pdf", headers=headers)
    assert api.status_code == 409 and "撤回" in api.get_json()["error"]


def test_a_case_released_before_certificates_gets_one_on_download(app):
    case_id = _case(app)  # released (certificate_ready_at set), nothing issued
    response = page_login(app, UNIT).get("/placements/certificate.pdf")
    assert response.status_code == 200 and _signed_ok(app, response.data)
    with app.extensions["quotacert"].transaction() as s:
        assert certificates.current(s, s.get(CertificationCase, case_id)).version == 1


def test_deregistration_form_download(app):
    page = page_login(app, UNIT)
    assert "下载注销业务申请书" in page.get("/placements/").get_data(as_text=True)
    response = page.get("/placements/deregistration.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "注销业务申请书" in text and UNIT in text
    api = app.test_client().get("/api/v1/case/deregistration.pdf", headers=api_login(app.test_client(), UNIT))
    assert api.status_code == 200 and api.data.startswith(b"%PDF")


def _two_page_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.append(PdfReader(BytesIO(pdf_bytes("wage proof"))))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_dossier_for_staff_of_the_jurisdiction(app):
    system = app.extensions["quotacert"]
    case_id = _case(app)
    _issue(app, case_id)
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        wang, li = sorted(case_people(s, case_id), key=lambda p: p.id)
        upload(s, system.settings, case, wang, _two_page_pdf(), "工资.pdf")
        upload(s, system.settings, case, wang, png_bytes(), "社保.png")
        upload(s, system.settings, case, li, pdf_bytes("medical"), "医保.pdf")

    reviewer = page_login(app, "reviewer_anshan", staff=True)
    response = reviewer.get(f"/review/cases/{case_id}/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    with system.transaction() as s:
        issued = certificates.current(s, s.get(CertificationCase, case_id))
        from casework import documents

        certificate_pages = len(PdfReader(BytesIO(documents.certificate_pdf(issued, "http://x/verify/t"))).pages)
    assert len(reader.pages) == certificate_pages + 2 + 1 + 1
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles[0].startswith("审核认定书 RDS-") and titles[1].startswith("1. 王一") and titles[2].startswith("2. 李二")
    children = [item for item in outline if isinstance(item, list)]
    assert [len(c) for c in children] == [2, 1]
    assert reader.get_destination_page_number(outline[1]) == certificate_pages
    assert "wage proof" in reader.pages[certificate_pages].extract_text()

    foreign = page_login(app, "reviewer_hangzhou", staff=True)
    assert foreign.get(f"/review/cases/{case_id}/dossier.pdf").status_code == 404
    assert page_login(app, UNIT).get(f"/review/cases/{case_id}/dossier.pdf").status_code == 403
    assert app.test_client().get(f"/review/cases/{case_id}/dossier.pdf").status_code in (302, 401)


def case_people(session, case_id: int):
    from casework.placements import people_of

    return people_of(session, case_id)
