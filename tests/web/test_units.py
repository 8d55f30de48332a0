"""单位信息维护管理: every field checked, nothing saved on any error, 关联单位 CRUD, scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.models import AuditEntry, RelatedUnit, Unit
from tests.web.conftest import api_token, credit_code, csrf_from, login, unit_fields

BAD_FIELDS = [
    ("name", "", "请填写单位名称"),
    ("nature", "外星机构", "请选择单位性质"),
    ("economic_type", "", "请选择经济性质"),
    ("industry", "炼金术", "请选择行业类别"),
    ("cdpf_region", "210300", "残联主管部门须选择到区县一级"),
    ("cdpf_region", "219999", "所选行政区划不存在"),
    ("cdpf_region", "330103", "已撤销"),
    ("tax_region", "", "请选择税务主管部门"),
    ("admin_region", "330100", "须选择到最末一级"),
    ("legal_name", "", "请填写法人姓名"),
    ("legal_id_number", "110105194912310021", "校验位错误"),
    ("legal_id_number", "G1", "5至30位"),
    ("legal_phone", "12345", "法人电话格式不正确"),
    ("org_code", "12345678-9", "组织机构代码校验位错误"),
    ("phone", "abc", "单位电话格式不正确"),
    ("staff_last_year", "-3", "上年度职工数须为非负整数"),
    ("contact_name", "", "请填写经办人姓名"),
    ("contact_phone", "1380000", "经办人电话格式不正确"),
    ("business_address", "", "请填写单位经营地址"),
    ("registered_address", "", "请填写单位注册地址"),
    ("tax_number", "123", "税务登记证号应为15位、18位或20位"),
]


def form_post(fields: dict, token: str) -> dict:
    return {"csrf_token": token, **fields}


def unit_row(db, unit_id: int) -> dict:
    with db() as session:
        unit = session.get(Unit, unit_id)
        return {
            c.name: getattr(unit, c.name)
            for c in Unit.__table__.columns
            if c.name not in ("updated_at",)
        }


@pytest.fixture
def signed_in(client, employer):
    login(client, employer["login"])
    return client


def test_unit_page_shows_all_fields_and_the_tip(signed_in, employer):
    page = signed_in.get("/unit").get_data(as_text=True)
    for label in (
        "单位名称", "统一社会信用代码", "税务登记证号", "单位性质", "经济性质", "行业类别", "残联主管部门",
        "税务主管部门", "单位所属行政区", "法人姓名", "法人身份证号", "法人电话", "组织机构代码", "单位电话",
        "上年度职工数", "经办人姓名", "经办人电话", "单位经营地址", "单位注册地址", "关联单位列表",
    ):  # fmt: skip
        assert label in page, label
    assert "残联主管部门为用人单位年审认证的办理所在地" in page
    assert employer["login"] in page
    assert 'name="cdpf_region__1"' in page and 'name="cdpf_region__3"' in page
    assert "暂无数据" in page  # no related units yet


def test_save_valid_unit_and_audit(signed_in, employer, db):
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields(
        name="鞍山示范科技股份有限公司", staff_last_year="150", legal_id_number="G12345678"
    )
    response = signed_in.post("/unit", data=form_post(fields, token))
    assert response.status_code == 302
    row = unit_row(db, employer["unit_id"])
    assert row["name"] == "鞍山示范科技股份有限公司"
    assert row["staff_last_year"] == 150
    assert row["legal_id_number"] == "G12345678"
    with db() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.update"))
        assert entry is not None and "name" in entry.detail["changed"]


def test_region_cascade_selects_are_read(signed_in, employer, db):
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields()
    del fields["cdpf_region"]
    fields.update(
        {"cdpf_region__1": "330000", "cdpf_region__2": "330100", "cdpf_region__3": "330106"}
    )
    assert signed_in.post("/unit", data=form_post(fields, token)).status_code == 302
    assert unit_row(db, employer["unit_id"])["cdpf_region"] == "330106"


def test_stale_city_after_province_change_is_not_accepted(signed_in, employer, db):
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields()
    del fields["cdpf_region"]
    # province changed to 浙江 without JavaScript; city and county still 鞍山
    fields.update(
        {"cdpf_region__1": "330000", "cdpf_region__2": "210300", "cdpf_region__3": "210302"}
    )
    response = signed_in.post("/unit", data=form_post(fields, token))
    assert response.status_code == 400
    assert "残联主管部门须选择到区县一级" in response.get_data(as_text=True)
    assert unit_row(db, employer["unit_id"])["cdpf_region"] == "210302"


@pytest.mark.parametrize(("field", "value", "message"), BAD_FIELDS)
def test_each_bad_field_is_reported_and_nothing_is_saved(
    signed_in, employer, db, field, value, message
):
    before = unit_row(db, employer["unit_id"])
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields(**{"name": "改过的名称有限公司", field: value})
    response = signed_in.post("/unit", data=form_post(fields, token))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="field-error"' in page
    assert unit_row(db, employer["unit_id"]) == before


def test_many_errors_at_once(signed_in):
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields(legal_phone="x", contact_phone="y", nature="")
    page = signed_in.post("/unit", data=form_post(fields, token)).get_data(as_text=True)
    assert (
        "法人电话格式不正确" in page and "经办人电话格式不正确" in page and "请选择单位性质" in page
    )


def test_csrf_missing_on_unit_form(signed_in):
    response = signed_in.post("/unit", data=unit_fields())
    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in response.get_data(as_text=True)


def test_credit_code_is_read_only(signed_in, employer, db):
    token = csrf_from(signed_in, "/unit")
    fields = unit_fields(credit_code=credit_code(77))
    assert signed_in.post("/unit", data=form_post(fields, token)).status_code == 302
    assert unit_row(db, employer["unit_id"])["credit_code"] == employer["login"]


def test_staff_cannot_use_the_employer_page(client, staff):
    login(client, staff["anshan"], staff=True)
    response = client.get("/unit")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)


def test_staff_see_units_only_in_their_jurisdiction(client, staff, employer, other_employer):
    login(client, staff["anshan"], staff=True)
    assert client.get(f"/units/{employer['unit_id']}").status_code == 200
    assert client.get(f"/units/{other_employer['unit_id']}").status_code == 404
    listing = client.get("/units").get_data(as_text=True)
    assert "鞍山示范科技有限公司" in listing and "杭州另一家公司" not in listing


def test_employer_cannot_open_staff_unit_view(signed_in, other_employer):
    assert signed_in.get(f"/units/{other_employer['unit_id']}").status_code == 403


# --- 关联单位 pages ----------------------------------------------------------------------


def related_form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "region_code__1": "210000",
        "region_code__2": "210300",
        "region_code__3": "210303",
        "credit_code": credit_code(10),
        "tax_number": "",
        "org_code": "",
        "name": "鞍山人力资源服务有限公司",
        "phone": "0412-2222333",
        "address": "鞍山市铁西区",
        "relation": "上下级",
    }
    data.update(overrides)
    return data


def test_add_edit_delete_related_unit_page(signed_in, employer, db, pdf_bytes):
    from io import BytesIO

    token = csrf_from(signed_in, "/unit/related/new")
    data = related_form(token, relation="劳务派遣单位")
    missing = signed_in.post("/unit/related/new", data=data, content_type="multipart/form-data")
    assert missing.status_code == 400
    assert "劳务派遣单位须上传劳务派遣协议" in missing.get_data(as_text=True)

    data = related_form(token, relation="劳务派遣单位")
    data["attachments"] = (BytesIO(pdf_bytes), "劳务派遣协议.pdf")
    response = signed_in.post("/unit/related/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with db() as session:
        related = session.scalars(select(RelatedUnit)).one()
        related_id = related.id
        assert related.relation == "劳务派遣单位" and len(related.attachment_ids) == 1
    page = signed_in.get("/unit").get_data(as_text=True)
    assert "鞍山人力资源服务有限公司" in page and "劳务派遣协议.pdf" in page

    edit = related_form(token, name="鞍山人力资源服务集团有限公司", relation="其他关联单位")
    assert signed_in.post(f"/unit/related/{related_id}/edit", data=edit).status_code == 302
    with db() as session:
        assert session.get(RelatedUnit, related_id).name == "鞍山人力资源服务集团有限公司"

    assert (
        signed_in.post(f"/unit/related/{related_id}/delete", data={"csrf_token": token}).status_code
        == 302
    )
    with db() as session:
        assert session.get(RelatedUnit, related_id) is None
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert {"related_unit.create", "related_unit.update", "related_unit.delete"} <= set(actions)


def test_related_unit_validation(signed_in, employer, db):
    token = csrf_from(signed_in, "/unit/related/new")
    bad = related_form(token, credit_code="91210302000000001A", phone="1", relation="")
    page = signed_in.post("/unit/related/new", data=bad).get_data(as_text=True)
    assert (
        "统一社会信用代码校验位错误" in page
        and "单位电话格式不正确" in page
        and "请选择关系" in page
    )
    own = related_form(token, credit_code=employer["login"])
    assert "不能将本单位添加为关联单位" in signed_in.post("/unit/related/new", data=own).get_data(
        as_text=True
    )
    with db() as session:
        assert session.scalars(select(RelatedUnit)).all() == []


def test_related_unit_upload_refused_keeps_nothing(signed_in, db, settings):
    from io import BytesIO

    token = csrf_from(signed_in, "/unit/related/new")
    data = related_form(token)
    data["attachments"] = (BytesIO(b"MZ\x90\x00fake exe"), "协议.pdf")
    response = signed_in.post("/unit/related/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "仅支持jpeg、jpg、png、pdf格式的文件" in response.get_data(as_text=True)
    with db() as session:
        assert session.scalars(select(RelatedUnit)).all() == []
    assert not settings.upload_dir.exists() or not any(settings.upload_dir.rglob("*"))


def test_other_units_related_id_is_404_on_pages(client, db, employer, other_employer):
    with db() as session:
        foreign = RelatedUnit(
            unit_id=other_employer["unit_id"],
            region_code="330106",
            credit_code=credit_code(11, "330106"),
            name="别人的关联单位",
        )
        session.add(foreign)
        session.flush()
        foreign_id = foreign.id
    login(client, employer["login"])
    token = csrf_from(client, "/unit")
    assert client.get(f"/unit/related/{foreign_id}/edit").status_code == 404
    assert (
        client.post(f"/unit/related/{foreign_id}/edit", data=related_form(token)).status_code == 404
    )
    assert (
        client.post(f"/unit/related/{foreign_id}/delete", data={"csrf_token": token}).status_code
        == 404
    )
    with db() as session:
        assert session.get(RelatedUnit, foreign_id).name == "别人的关联单位"


# --- API ---------------------------------------------------------------------------------


def test_regions_api_is_public(app):
    client = app.test_client(use_cookies=False)
    provinces = client.get("/api/v1/regions").get_json()["regions"]
    assert {
        "code": "210000",
        "name": "辽宁省",
        "level": "province",
        "has_children": True,
    } in provinces
    counties = client.get("/api/v1/regions?parent=210300").get_json()["regions"]
    assert any(r["code"] == "210302" and r["name"] == "铁东区" for r in counties)
    assert client.get("/api/v1/regions?parent=abc").status_code == 400


def test_unit_api_get_and_put(app, employer, db):
    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(client, employer['login'])}"}
    unit = client.get("/api/v1/unit", headers=headers).get_json()
    assert (
        unit["credit_code"] == employer["login"]
        and unit["cdpf_region_name"] == "辽宁省/鞍山市/铁东区"
    )

    before = unit_row(db, employer["unit_id"])
    bad = client.put(
        "/api/v1/unit", headers=headers, json=unit_fields(legal_phone="1", cdpf_region="210300")
    )
    assert bad.status_code == 400
    body = bad.get_json()
    assert body["error"] == "输入有误"
    assert set(body["fields"]) == {"legal_phone", "cdpf_region"}
    assert unit_row(db, employer["unit_id"]) == before

    good = client.put(
        "/api/v1/unit", headers=headers, json=unit_fields(staff_last_year=200, phone="")
    )
    assert good.status_code == 200 and good.get_json()["staff_last_year"] == 200
    assert unit_row(db, employer["unit_id"])["phone"] == ""


def test_unit_api_roles(app, employer, staff, other_employer):
    client = app.test_client(use_cookies=False)
    staff_headers = {"Authorization": f"Bearer {api_token(client, staff['anshan'])}"}
    assert client.get("/api/v1/unit", headers=staff_headers).status_code == 403
    assert (
        client.get(f"/api/v1/units/{employer['unit_id']}", headers=staff_headers).status_code == 200
    )
    assert (
        client.get(f"/api/v1/units/{other_employer['unit_id']}", headers=staff_headers).status_code
        == 404
    )
    assert client.get("/api/v1/unit").status_code == 401


def test_unit_api_with_cookie_needs_csrf_header(client, employer):
    login(client, employer["login"])
    assert client.put("/api/v1/unit", json=unit_fields()).status_code == 400
    token = csrf_from(client, "/unit")
    assert (
        client.put("/api/v1/unit", json=unit_fields(), headers={"X-CSRFToken": token}).status_code
        == 200
    )


def test_related_units_api_crud(app, employer, other_employer, db, pdf_bytes):
    from io import BytesIO

    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(client, employer['login'])}"}
    payload = {
        "region_code": "210303",
        "credit_code": credit_code(20),
        "name": "鞍山劳务派遣有限公司",
        "relation": "劳务派遣单位",
    }
    missing = client.post("/api/v1/unit/related-units", headers=headers, json=payload)
    assert missing.status_code == 400 and "attachments" in missing.get_json()["fields"]

    upload = client.post(
        "/api/v1/unit/attachments",
        headers=headers,
        data={"file": (BytesIO(pdf_bytes), "协议.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201
    attachment_id = upload.get_json()["id"]

    created = client.post(
        "/api/v1/unit/related-units",
        headers=headers,
        json={**payload, "attachment_ids": [attachment_id]},
    )
    assert created.status_code == 201
    related_id = created.get_json()["id"]
    listed = client.get("/api/v1/unit/related-units", headers=headers).get_json()["items"]
    assert [r["id"] for r in listed] == [related_id]

    updated = client.put(
        f"/api/v1/unit/related-units/{related_id}",
        headers=headers,
        json={**payload, "relation": "其他关联单位", "attachment_ids": []},
    )
    assert updated.status_code == 200 and updated.get_json()["attachment_ids"] == []

    invalid = client.put(
        f"/api/v1/unit/related-units/{related_id}",
        headers=headers,
        json={**payload, "credit_code": "123"},
    )
    assert invalid.status_code == 400 and "credit_code" in invalid.get_json()["fields"]

    # another unit's related unit is 404, never 403
    other_headers = {"Authorization": f"Bearer {api_token(client, other_employer['login'])}"}
    assert (
        client.put(
            f"/api/v1/unit/related-units/{related_id}", headers=other_headers, json=payload
        ).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/unit/related-units/{related_id}", headers=other_headers).status_code
        == 404
    )
    foreign_attachment = client.post(
        "/api/v1/unit/related-units",
        headers=other_headers,
        json={**payload, "credit_code": credit_code(21), "attachment_ids": [attachment_id]},
    )
    assert foreign_attachment.status_code == 400

    assert (
        client.delete(f"/api/v1/unit/related-units/{related_id}", headers=headers).status_code
        == 204
    )
    assert (
        client.delete(f"/api/v1/unit/related-units/{related_id}", headers=headers).status_code
        == 404
    )
