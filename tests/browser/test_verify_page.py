"""The public 审核认定书核验 page in Chromium, as someone scanning the QR code sees it: no
login, the status readable, WCAG 2.1 AA (axe-core) and no Content-Security-Policy
violation, for a valid and for a superseded certificate (with the link to the newer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import cases, certificates
from casework.models import Unit, User
from tests.browser.test_accessibility import violations
from tests.browser.test_csp import check, watched  # noqa: F401  (the fixture)
from tests.certkit import add_certified_person, declared, id_number

pytestmark = pytest.mark.browser
SEEDED_UNIT = "91210302052118596L"


def _two_versions(app) -> tuple[str, str]:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == SEEDED_UNIT))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        case = cases.open_case(s, system, unit, system.settings.business_year - 1, user.login)
        add_certified_person(s, case, "王一", id_number(7), list(range(1, 13)))
        declared(case, system.runtime.clock.now())
        now = system.runtime.clock.now()
        first = certificates.issue(s, case, now).token
        second = certificates.issue(s, case, now + timedelta(days=1)).token
    return first, second


def test_verify_page_in_the_browser(live_server, watched):  # noqa: F811
    base, app = live_server
    first, second = _two_versions(app)
    page = watched
    page.goto(f"{base}/verify/{first}")
    page.wait_for_load_state("networkidle")
    assert page.locator(".verify-status").inner_text().startswith("已被更正")
    found = violations(page)
    check(page)
    page.locator(".verify-status a").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/verify/{second}")
    assert page.locator(".verify-status .badge").inner_text() == "有效"
    found += violations(page)
    check(page)
    assert found == [], "\n".join(found)
    assert page.csp_log == [], "\n".join(page.csp_log)
