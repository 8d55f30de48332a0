"""年审申报撤回 and 年审认证反馈 through the API and the 年审认证结果 page: the employer asks
(reason required, 409 in Chinese when the diagram does not take it), the reviewer decides
in the workbench's 审批 page (which shows the request), and the employer reads the outcome."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.api.test_journey import UNIT, register, upload
from tests.api.test_pages import page_login, token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _declared(app, jobs, population) -> tuple:
    client = app.test_client()
    employer = api_login(client, UNIT)
    pid = register(client, employer, population.select(unit=UNIT, scenario="clean")[0])
    jobs()
    assert client.post(f"/api/v1/placements/{pid}/months", headers=employer, json={"selected_months": list(range(1, 13))}).status_code == 200
    assert client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True}).status_code == 200
    return client, employer


def test_withdrawal_through_the_api(app, jobs, population):
    client = app.test_client()
    employer = api_login(client, UNIT)
    # before 完成申报 the diagram takes no request: 409 with the reason
    early = client.post("/api/v1/case/withdrawal", headers=employer, json={"reason": "人数有误"})
    assert early.status_code == 409 and "尚未完成申报" in early.get_json()["error"]
    assert client.get("/api/v1/case/requests", headers=employer).get_json() == {"available": [], "items": []}

    client, employer = _declared(app, jobs, population)
    assert client.get("/api/v1/case/requests", headers=employer).get_json()["available"] == ["feedback", "withdraw"]
    blank = client.post("/api/v1/case/withdrawal", headers=employer, json={"reason": "  "})
    assert blank.status_code == 400 and "申请理由" in blank.get_json()["fields"]["reason"]
    foreign = client.post("/api/v1/case/withdrawal", headers=employer, json={"reason": "人数有误", "attachment_ids": [99999]})
    assert foreign.status_code == 400 and "附件" in foreign.get_json()["fields"]["attachment_ids"]

    filed = client.post("/api/v1/case/withdrawal", headers=employer, json={"reason": "人数有误，需重新申报"})
    assert filed.status_code == 201
    body = filed.get_json()
    assert body["available"] == [] and body["items"][0]["status"] == "pending" and body["items"][0]["kind_name"] == "年审申报撤回"
    again = client.post("/api/v1/case/withdrawal", headers=employer, json={"reason": "再次申请"})
    assert again.status_code == 409 and "正在审核中" in again.get_json()["error"]

    # the reviewer's 年审申报撤回审核 (the generic 审批 step) shows the request, then agrees
    reviewer = page_login(app, "reviewer_anshan", staff=True)
    inbox = reviewer.get("/api/v1/tasks?form=decision", headers=api_login(reviewer, "reviewer_anshan")).get_json()
    [task] = inbox["items"]
    page = reviewer.get(f"/review/tasks/{task['task_id']}").get_data(as_text=True)
    assert "用人单位的申请" in page and "人数有误，需重新申报" in page and "同意撤回" in page
    staff = api_login(client, "reviewer_anshan")
    decided = client.post(f"/api/v1/tasks/{task['task_id']}/approval", headers=staff, json={"outcome": "approve"})
    assert decided.status_code == 200, decided.get_json()

    body = client.get("/api/v1/case/requests", headers=employer).get_json()
    assert body["items"][0]["status"] == "approved" and body["available"] == []
    case = client.get("/api/v1/case", headers=employer).get_json()
    assert case["locked"] is False and case["can_declare"] is True


def test_feedback_on_the_results_page_with_a_file(app, jobs, population):
    _declared(app, jobs, population)
    client = page_login(app, UNIT)
    page = client.get("/results/").get_data(as_text=True)
    assert "年审申报撤回" in page and "年审认证反馈" in page and "暂无撤回或反馈申请" in page
    csrf = token(client, "/results/")
    empty = client.post("/results/feedback", data={"csrf_token": csrf, "reason": ""})
    assert empty.status_code == 400 and "请填写申请理由" in empty.get_data(as_text=True)
    sent = client.post(
        "/results/feedback",
        data={"csrf_token": csrf, "reason": "3月份工资核验有误", "attachments": [(pdf_bytes("情况说明"), "情况说明.pdf")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    page = client.get("/results/").get_data(as_text=True)
    assert "3月份工资核验有误" in page and "审核中" in page and "提交反馈" not in page

    reviewer = app.test_client()
    staff = api_login(reviewer, "reviewer_anshan")
    [task] = reviewer.get("/api/v1/tasks?form=decision", headers=staff).get_json()["items"]
    assert task["title"] == "认证反馈审核"
    refused = reviewer.post(f"/api/v1/tasks/{task['task_id']}/approval", headers=staff, json={"outcome": "reject"})
    assert refused.status_code == 400  # a refusal needs a reason (the step's setting)
    reviewer.post(f"/api/v1/tasks/{task['task_id']}/approval", headers=staff, json={"outcome": "reject", "reason": "核验结果无误"})
    page = client.get("/results/").get_data(as_text=True)
    assert "未同意" in page and "核验结果无误" in page and "提交反馈" in page  # still within the period


def test_upload_then_attach_by_id(app, jobs, population):
    client, employer = _declared(app, jobs, population)
    att = upload(client, employer, pdf_bytes("说明"), "说明.pdf", "statement")
    filed = client.post("/api/v1/case/feedback", headers=employer, json={"reason": "有误", "attachment_ids": [att]})
    assert filed.status_code == 201 and filed.get_json()["items"][0]["attachment_ids"] == [att]
