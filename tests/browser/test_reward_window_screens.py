"""超比例奖励申请 at the window in Chromium (002 申办系统): 鞍山's reviewer finds a unit from
the nav entry, checks the twelve-month grid and the figures, adds a paper and the payee
and 提交s; 鞍山's supervisor opens the 复核 from the inbox, sees the application (figures,
payee, channel, filer, paper) and approves; the certificate's public page shows the
reward. No CSP violation or console error, WCAG AA on every screen."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from casework import cases, certificates
from casework.models import IssuedCertificate, RewardApplication, Unit
from casework.models.placement import Certificate
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.certkit import add_certified_person, declared, id_number

pytestmark = pytest.mark.browser
UNIT_NAME = "鞍山市铁西区示范电子科技有限公司"  # no seeded people: only those certified here


def _certified(app) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.name == UNIT_NAME))
        unit.staff_last_year = 30
        case = cases.open_case(s, system, unit, system.settings.business_year, "test")
        first = add_certified_person(s, case, "赵一", id_number(11), list(range(1, 13)), weight=2)
        s.add(Certificate(placement_id=first.id, number=id_number(11) + "42", kind="残疾人证", category="肢体残疾",
                          grade=2, valid_from=date(2020, 1, 1), valid_to=date(2030, 1, 1)))
        add_certified_person(s, case, "钱二", id_number(12), list(range(1, 13)))
        add_certified_person(s, case, "孙三", id_number(13), list(range(4, 13)))
        declared(case, system.runtime.clock.now())
        certificates.issue(s, case, system.runtime.clock.now())


def _png(tmp_path):
    path = tmp_path / "开户许可证.png"
    data = BytesIO()
    Image.new("RGB", (120, 80), (200, 220, 240)).save(data, "PNG")
    path.write_bytes(data.getvalue())
    return path


def _page(browser, errors: list[str]):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def test_window_files_a_reward_and_the_supervisor_rechecks_it(live_server, browser, shots, tmp_path):
    base, app = live_server
    _certified(app)
    found: list[str] = []
    errors: list[str] = []

    reviewer = _page(browser, errors)
    login(reviewer, base, "reviewer_anshan", staff=True)
    reviewer.click("nav >> text=超比例奖励申请")
    reviewer.wait_for_load_state("networkidle")
    reviewer.fill("#q", "铁西区示范")
    reviewer.click("button:has-text('查找')")
    reviewer.wait_for_load_state("networkidle")
    found += violations(reviewer)
    shots(reviewer, "40-reward-window-search")
    reviewer.locator("tr", has_text=UNIT_NAME).locator("a", has_text="申请超比例奖励").click()
    reviewer.wait_for_load_state("networkidle")
    grid = reviewer.locator("table.reward-grid")
    assert grid.locator("tbody tr").count() == 3
    assert grid.locator("tr", has_text="孙三").locator(".tick").count() == 9
    assert "肢体残疾" in grid.inner_text() and "二级" in grid.inner_text() and "按2人计" in grid.inner_text()
    assert "超比例奖励信息" in reviewer.content()
    reviewer.set_input_files("#attachments", str(_png(tmp_path)))
    reviewer.fill("#f-payee_account", "6222 0000 1234 5678")
    reviewer.fill("#f-payee_bank", "中国银行鞍山铁西支行")
    found += violations(reviewer)
    shots(reviewer, "41-reward-window-unit")
    reviewer.click("button:has-text('提交')")
    reviewer.wait_for_load_state("networkidle")
    assert "转业务主管复核" in reviewer.content() and "待复核" in reviewer.content()
    found += violations(reviewer)
    shots(reviewer, "42-reward-window-filed")

    supervisor = _page(browser, errors)
    login(supervisor, base, "supervisor_anshan", staff=True)
    row = supervisor.locator("tr", has_text="超比例奖励申请").filter(has_text=UNIT_NAME)
    assert row.count() == 1 and "复核" in row.inner_text()
    row.locator("a", has_text="办理").click()
    supervisor.wait_for_load_state("networkidle")
    material = supervisor.locator("section", has=supervisor.locator("#reward-h")).inner_text()
    assert "窗口代为申请" in material and "6222000012345678" in material and "开户许可证.png" in material
    found += violations(supervisor)
    shots(supervisor, "43-reward-recheck-decision")
    supervisor.check("input[name=outcome][value=approve]")
    supervisor.click("form >> button:has-text('提交')")
    supervisor.wait_for_load_state("networkidle")

    with app.extensions["quotacert"].transaction() as s:
        application = s.scalar(select(RewardApplication).join(Unit, Unit.id == RewardApplication.unit_id)
                               .where(Unit.name == UNIT_NAME))
        assert application.status_name == "复审通过"
        certificate = s.get(IssuedCertificate, application.certificate_id)
    public = _page(browser, errors)
    public.goto(f"{base}/verify/{certificate.token}")
    assert "超比例奖励审核认定书" in public.content() and "有效" in public.content()
    found += violations(public)
    shots(public, "44-reward-verify")
    assert not found, "\n".join(found)
    assert not errors, errors
