"""流程管理 pages (issue 14): a province's process owner lists the processes, uploads a
diagram as a draft, publishes it and takes it out of force; other roles are refused,
another province's versions are not found, and no upload of any bytes answers 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import accounts
from engine.models import SpecVersion
from tests.web.conftest import PASSWORD, csrf_from, login

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
PLACEMENT = (WORKFLOWS / "placement_review.bpmn").read_text("utf-8")
TASK = '<bpmn:userTask id="manual_review" name="安置登记审核">'
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def variant(name: str = "安置登记审核（内蒙古）") -> str:
    """The national placement_review with the reviewer's task renamed: a valid diagram."""
    assert TASK in PLACEMENT
    return PLACEMENT.replace(TASK, f'<bpmn:userTask id="manual_review" name="{name}">')


@pytest.fixture
def owners(db):
    with db() as session:
        accounts.create_user(session, "owner_nmg", PASSWORD, "process_owner", "150000", None, "内蒙古流程管理员")
        accounts.create_user(session, "owner_zj", PASSWORD, "process_owner", "330000", None, "浙江流程管理员")
    return {"nmg": "owner_nmg", "zhejiang": "owner_zj"}


def owner_client(app, name: str):
    client = app.test_client()
    response = login(client, name, staff=True)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def count_versions(app) -> int:
    with app.extensions["quotacert"].transaction() as session:
        return session.scalar(select(func.count(SpecVersion.id)))


def upload(client, data: bytes, filename: str = "placement_review.bpmn", process_id: str = "placement_review", note: str = ""):
    from io import BytesIO

    token = csrf_from(client, "/processes/")
    return client.post(
        f"/processes/{process_id}/upload",
        data={"csrf_token": token, "note": note, "bpmn": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def draft_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    found = re.search(r"/processes/versions/(\d+)$", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def current_province(app, region: str = "150100") -> str:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        return system.registry.current(session, "placement_review", region).province


def test_owner_lands_on_the_list_and_sees_both_processes(app, owners):
    client = app.test_client()
    response = login(client, owners["nmg"], staff=True)
    assert response.headers["Location"].endswith("/processes/")
    page = client.get("/processes/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("流程管理", "年审认证", "安置登记审核", "全国默认流程", "本省生效版本",
                 "按全国默认流程办理", "上传并保存为草稿", "内蒙古"):
        assert text in html, text
    # 内蒙古 ships its own annual_certification: in force, with a 撤销发布 button
    assert "生效中" in html and "随系统发布" in html and "撤销发布" in html
    assert 'href="/processes/"' in html and 'aria-current="page">流程管理' in html


def test_other_roles_are_refused(app, owners, staff, employer):
    reviewer = app.test_client()
    login(reviewer, staff["zhejiang"], staff=True)
    assert reviewer.get("/processes/").status_code == 403
    assert reviewer.get("/processes/versions/1").status_code == 403
    assert reviewer.get("/processes/versions/1.bpmn").status_code == 403
    token = csrf_from(reviewer, "/review/")
    assert reviewer.post("/processes/placement_review/drafts", json={"xml": PLACEMENT},
                         headers={"X-CSRFToken": token}).status_code == 403
    assert "流程管理" not in reviewer.get("/review/").get_data(as_text=True)
    unit = app.test_client()
    login(unit, employer["login"])
    assert unit.get("/processes/").status_code == 403
    anonymous = app.test_client()
    response = anonymous.get("/processes/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_upload_publish_and_unpublish(app, owners):
    client = owner_client(app, owners["nmg"])
    assert current_province(app) == ""
    version_id = draft_id(upload(client, variant().encode(), note="审核环节改名"))
    page = client.get(f"/processes/versions/{version_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "草稿" in html and "审核环节改名" in html and "上传文件" in html
    assert f'data-xml-url="/processes/versions/{version_id}.bpmn"' in html
    listing = client.get("/processes/").get_data(as_text=True)
    assert "审核环节改名" in listing and "owner_nmg" in listing
    assert current_province(app) == "", "a draft is not in force"

    xml = client.get(f"/processes/versions/{version_id}.bpmn?download=1")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.headers["Content-Disposition"].startswith("attachment;")
    assert "安置登记审核（内蒙古）" in xml.get_data(as_text=True)

    token = csrf_from(client, f"/processes/versions/{version_id}")
    published = client.post(f"/processes/versions/{version_id}/publish", data={"csrf_token": token}, follow_redirects=True)
    html = published.get_data(as_text=True)
    assert "本省新建业务将按此版本办理；在办业务不受影响" in html and "已发布" in html
    assert current_province(app) == "150000"
    assert current_province(app, "330100") == "", "another province keeps the national default"

    token = csrf_from(client, "/processes/")
    undone = client.post("/processes/placement_review/unpublish", data={"csrf_token": token}, follow_redirects=True)
    html = undone.get_data(as_text=True)
    assert "已撤销发布" in html and "全国默认流程" in html
    assert current_province(app) == ""
    assert "历史版本" in client.get("/processes/").get_data(as_text=True)

    again = client.post("/processes/placement_review/unpublish", data={"csrf_token": token}, follow_redirects=True)
    assert "本省没有生效中的自有版本" in again.get_data(as_text=True)


def test_another_province_cannot_see_a_draft(app, owners):
    nmg = owner_client(app, owners["nmg"])
    version_id = draft_id(upload(nmg, variant().encode()))
    zhejiang = owner_client(app, owners["zhejiang"])
    assert zhejiang.get(f"/processes/versions/{version_id}").status_code == 404
    assert zhejiang.get(f"/processes/versions/{version_id}.bpmn").status_code == 404
    assert zhejiang.get(f"/processes/versions/{version_id}/edit").status_code == 404
    token = csrf_from(zhejiang, "/processes/")
    assert zhejiang.post(f"/processes/versions/{version_id}/publish", data={"csrf_token": token}).status_code == 404
    assert "安置登记审核（内蒙古）" not in zhejiang.get("/processes/").get_data(as_text=True)
    assert current_province(app) == ""
    assert zhejiang.get("/processes/versions/2147483647").status_code == 404
    assert zhejiang.get("/processes/versions/99999999999").status_code == 404


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (32, 32), (200, 16, 46)).save(buffer, format="PNG")
    return buffer.getvalue()


GARBAGE = {
    "empty": b"",
    "png": _png(),
    "broken_xml": PLACEMENT[: len(PLACEMENT) // 2].encode(),
    "not_utf8": "<?xml version='1.0'?><定义/>".encode("gb18030"),
    "not_bpmn": b"<?xml version='1.0'?><html><body>hello</body></html>",
    "entity_bomb": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]><x>&b;</x>",
    "huge": b"<?xml version='1.0'?><x>" + b"a" * 6_000_000 + b"</x>",
    "other_process": (WORKFLOWS / "annual_certification.bpmn").read_bytes(),
}


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_bad_uploads_are_refused_in_chinese_and_store_nothing(app, owners, kind):
    client = owner_client(app, owners["nmg"])
    before = count_versions(app)
    response = upload(client, GARBAGE[kind], filename=f"{kind}.bpmn")
    assert response.status_code in (200, 422), response.status_code
    html = response.get_data(as_text=True)
    box = re.search(r'<div class="alert alert-error problem-box".*?</div>', html, re.S)
    assert box, html[:3000]
    items = re.findall(r"<li>(.*?)</li>", box.group(0), re.S)
    assert items and all(CHINESE.search(item) for item in items), items
    assert count_versions(app) == before


def test_upload_without_a_file(app, owners):
    client = owner_client(app, owners["nmg"])
    token = csrf_from(client, "/processes/")
    response = client.post("/processes/placement_review/upload", data={"csrf_token": token, "note": "x"})
    assert response.status_code == 422 and "请选择要上传的BPMN流程图文件" in response.get_data(as_text=True)


def test_upload_to_an_unknown_process_is_not_found(app, owners):
    client = owner_client(app, owners["nmg"])
    assert upload(client, variant().encode(), process_id="no_such_process").status_code == 404


def test_drafts_endpoint_names_the_elements_of_a_problem(app, owners):
    client = owner_client(app, owners["nmg"])
    token = csrf_from(client, "/processes/")
    before = count_versions(app)
    unknown_lane = PLACEMENT.replace('<bpmn:lane id="reviewer" name="残联业务人员">', '<bpmn:lane id="reviewer" name="未登记岗位">')
    assert unknown_lane != PLACEMENT
    response = client.post("/processes/placement_review/drafts", json={"xml": unknown_lane, "note": "试一试"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    body = response.get_json()
    elements = {p["element"] for p in body["problems"]}
    assert elements & {"reviewer", "manual_review", "review_deadline"}, body
    assert all(CHINESE.search(p["message"]) for p in body["problems"]), body
    assert count_versions(app) == before


def test_drafts_endpoint_saves_a_national_diagram_for_the_province(app, owners):
    client = owner_client(app, owners["nmg"])
    token = csrf_from(client, "/processes/")
    response = client.post("/processes/placement_review/drafts", json={"xml": variant("在线修改"), "note": "在线建模"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_data(as_text=True)[:1000]
    body = response.get_json()
    with app.extensions["quotacert"].transaction() as session:
        version = session.get(SpecVersion, body["id"])
        assert (version.province, version.state, version.source, version.created_by) == ("150000", "draft", "modeler", "owner_nmg")
    assert body["url"] == f"/processes/versions/{body['id']}"
    # the same content again answers the existing draft
    again = client.post("/processes/placement_review/drafts", json={"xml": variant("在线修改")}, headers={"X-CSRFToken": token})
    assert again.status_code == 201 and again.get_json()["id"] == body["id"]
    # malformed requests
    assert client.post("/processes/placement_review/drafts", data="x", headers={"X-CSRFToken": token},
                       content_type="application/json").status_code == 400
    assert client.post("/processes/placement_review/drafts", json={"xml": 5}, headers={"X-CSRFToken": token}).status_code == 400
    assert client.post("/processes/placement_review/drafts", json={"xml": PLACEMENT}).status_code == 400  # no CSRF
    assert client.post("/processes/nope/drafts", json={"xml": PLACEMENT}, headers={"X-CSRFToken": token}).status_code == 404


def test_editor_and_viewer_pages_load_bpmn_js_from_our_origin(app, owners):
    client = owner_client(app, owners["nmg"])
    with app.extensions["quotacert"].transaction() as session:
        national = session.scalar(select(SpecVersion.id).where(
            SpecVersion.process_id == "placement_review", SpecVersion.province == ""))
    view = client.get(f"/processes/versions/{national}").get_data(as_text=True)
    assert "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in view and "作为本省版本发布" in view
    edit = client.get(f"/processes/versions/{national}/edit").get_data(as_text=True)
    assert "/vendor/bpmn-js/bpmn-modeler.production.min.js" in edit
    assert 'data-save-url="/processes/placement_review/drafts"' in edit
    assert "http://" not in re.sub(r'xmlns[^ >]*"[^"]*"', "", edit.split("<main", 1)[1]).split("<footer")[0]


def test_vendor_files_are_confined_to_the_bpmn_js_dist_directory(client):
    from webapp.processes import VENDOR_DIR

    if not (VENDOR_DIR / "bpmn-modeler.production.min.js").exists():
        pytest.skip("bpmn-js not installed (scripts/install runs npm ci)")
    script = client.get("/vendor/bpmn-js/bpmn-modeler.production.min.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert client.get("/vendor/bpmn-js/assets/bpmn-font/css/bpmn.css").status_code == 200
    assert client.get("/vendor/bpmn-js/assets/bpmn-font/font/bpmn.woff2").status_code == 200
    for bad in ("../package.json", "..%2fpackage.json", "assets/../../package.json", "/etc/passwd", "nothing.js"):
        assert client.get(f"/vendor/bpmn-js/{bad}", follow_redirects=True).status_code == 404, bad
