"""The printable documents are real PDFs with the case's facts and an embedded CJK font."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from casework import cases, documents
from casework.models import Unit

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _fonts(reader: PdfReader) -> list[dict]:
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                found.append(descendant.get_object().get("/FontDescriptor", {}))
            if "/FontDescriptor" in font:
                found.append(font["/FontDescriptor"])
    return found


def test_pledge_and_deregistration_form(system, employer):
    unit, user = employer
    with system.transaction() as session:
        case = cases.open_case(session, system, session.get(Unit, unit.id), 2025, user.login)
        pledge = documents.pledge_pdf(case)
        form = documents.deregistration_pdf(case, [])
    for data, must in (
        (pledge, ["申报资料真实性承诺书", unit.name, "2025"]),
        (form, ["注销业务申请书", unit.name, unit.credit_code, "2025", "注销原因", "注销起始月份", "申请理由"]),
    ):
        reader = PdfReader(BytesIO(data))
        text = "".join(p.extract_text() for p in reader.pages)
        for fragment in must:
            assert fragment in text
        if Path(documents.FONT_CANDIDATES[0][0]).exists():
            assert any("/FontFile2" in d for d in _fonts(reader)), "the CJK font is embedded"
