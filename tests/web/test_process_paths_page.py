"""路径检查 page (issue 14): the owner sees the paths a version's cases can take, walked
with sample data, the elements no path reaches and, for a broken version, the problem on
its element; publishing that version is refused with the same problem."""

from __future__ import annotations

import re

from engine.models import SpecVersion
from tests.web.conftest import csrf_from
from tests.web.test_process_pages import PLACEMENT, owner_client, owners, upload  # noqa: F401


def _national(app, process_id: str) -> int:
    with app.extensions["quotacert"].transaction() as session:
        return session.query(SpecVersion.id).filter_by(process_id=process_id, province="", is_current=True).scalar()


def test_the_paths_of_the_national_annual_certification(app, owners):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    page = client.get(f"/processes/versions/{_national(app, 'annual_certification')}/paths")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "路径检查通过" in html
    assert "年审申报撤回审核：同意撤回" in html and "时限到期" in html
    # the national default is walked with the national parameters: no supervisor step
    assert 'data-unreached-count="2"' in html and "withdraw_confirm" in html
    assert len(re.findall(r'data-path-outcome="completed"', html)) >= 3


def test_a_broken_draft_shows_its_problem_and_cannot_be_published(app, owners):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    broken = PLACEMENT.replace('months_action == "back"', 'result_action == "back"', 1)
    response = upload(client, broken.encode())
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    version_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    html = client.get(f"/processes/versions/{version_id}/paths").get_data(as_text=True)
    assert "路径检查未通过" in html and "result_action" in html and 'data-path-outcome="stopped"' in html
    token = csrf_from(client, f"/processes/versions/{version_id}")
    published = client.post(f"/processes/versions/{version_id}/publish", data={"csrf_token": token},
                            follow_redirects=True)
    assert "路径检查未通过" in published.get_data(as_text=True) and "result_action" in published.get_data(as_text=True)
    with app.extensions["quotacert"].transaction() as session:
        assert not session.get(SpecVersion, version_id).is_current


def test_other_provinces_and_roles_do_not_see_it(app, owners, staff):  # noqa: F811
    nmg = owner_client(app, owners["nmg"])
    version_id = int(upload(nmg, PLACEMENT.replace("安置登记审核", "安置登记审核（内蒙古）", 1).encode())
                     .headers["Location"].rstrip("/").split("/")[-1])
    zhejiang = owner_client(app, owners["zhejiang"])
    assert zhejiang.get(f"/processes/versions/{version_id}/paths").status_code == 404
    assert nmg.get("/processes/versions/99999999999/paths").status_code == 404
    assert nmg.get("/processes/versions/0/paths").status_code == 404
