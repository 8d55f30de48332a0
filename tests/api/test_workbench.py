"""The diagram drives the workbench: a province adds a supervisor's 复核 or a new lane with
the diagram alone, a diagram naming an unknown form is refused at load, two reviewers on
one task get exactly one winner, and no reviewer sees past their jurisdiction.

The 复核 variant (tests/workflows/diagrams/placement_review_recheck.bpmn) is the shipped
placement_review.bpmn plus one user task with the generic `decision` form and a gateway:
no Python of the product knows it exists.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from casework import accounts
from casework.demo import DEMO_PASSWORD
from casework.models import Notice, Placement, Unit
from engine.lanes import add_lane
from engine.models import InboxTask
from engine.specs import SpecError, SpecRegistry
from tests.api.conftest import api_login
from tests.api.files import png_bytes
from tests.api.test_journey import UNIT, register, upload
from tests.api.test_pages import page_login, token

RECHECK = (Path(__file__).resolve().parents[1] / "workflows" / "diagrams" / "placement_review_recheck.bpmn").read_text(encoding="utf-8")
LIAONING = "210000"  # Anshan's province: its units start on the province's version


def _publish(app, xml: str, province: str = LIAONING) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.registry.register(session, xml, f"{province}/placement_review.bpmn", province)


def _claimed_person(app, jobs, population, client, employer) -> tuple[int, list[int]]:
    """An insurance_gap person with two failed months claimed: waiting for 安置登记审核."""
    person = population.select(unit=UNIT, scenario="insurance_gap")[0]
    pid = register(client, employer, person)
    jobs()
    months = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()["months"]
    failed = [m["month"] for m in months if not m["passed"]]
    passed = [m["month"] for m in months if m["passed"]]
    claimed = failed[:2]
    att = upload(client, employer, png_bytes(), "缴费凭证.png", "pension_proof")
    assert client.post(f"/api/v1/placements/{pid}/materials", headers=employer, json={"attachment_id": att, "material": "社会保险缴费凭证"}).status_code == 200
    response = client.post(f"/api/v1/placements/{pid}/months", headers=employer, json={"selected_months": passed + claimed})
    assert response.get_json()["claimed_months"] == claimed, response.get_json()
    return pid, claimed


def _tasks(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/tasks", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def _notices(app) -> int:
    with app.extensions["quotacert"].transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.credit_code == UNIT))
        return session.scalar(select(func.count()).select_from(Notice).where(Notice.unit_id == unit.id))


def test_a_supervisor_recheck_added_by_diagram_alone(app, jobs, population):
    _publish(app, RECHECK)
    client = app.test_client()
    employer = api_login(client, UNIT)
    pid, claimed = _claimed_person(app, jobs, population, client, employer)
    reviewer = api_login(client, "reviewer_anshan")
    supervisor = api_login(client, "supervisor_anshan")

    [review] = _tasks(client, reviewer, form="placement_review")
    first = {str(claimed[0]): {"valid": False, "reason": "缴费凭证月份不符"}, str(claimed[1]): {"valid": True}}
    assert client.post(f"/api/v1/tasks/{review['task_id']}/decision", headers=reviewer, json={"decisions": first}).status_code == 200

    # the supervisor's inbox has the 复核 (tab 审批), the reviewer's decision beside it
    [recheck] = _tasks(client, supervisor)
    assert (recheck["form"], recheck["title"]) == ("decision", "安置登记复核")
    tabs = client.get("/api/v1/tasks", headers=supervisor).get_json()["tabs"]
    assert tabs == [{"form": "decision", "title": "审批", "count": 1}]
    detail = client.get(f"/api/v1/tasks/{recheck['task_id']}", headers=supervisor).get_json()
    assert [(h["step"], h["outcome_label"]) for h in detail["history"]] == [("安置登记审核", "认定有效1个月，无效1个月")]
    assert _notices(app) == 0  # nothing applied or told yet: the diagram waits for the 复核

    page = page_login(app, "supervisor_anshan", staff=True)
    html = page.get(f"/review/tasks/{recheck['task_id']}").get_data(as_text=True)
    doc = lxml_html.fromstring(html)
    assert doc.xpath("//input[@name='outcome']/@value") == ["approve", "return"]  # the diagram's outcomes
    labels = [label.text_content().strip() for label in doc.xpath("//input[@name='outcome']/..")]
    assert labels == ["同意", "退回重审"]
    history = " ".join(doc.xpath("//ol[@class='history']//text()"))
    assert "认定有效1个月，无效1个月" in history and "缴费凭证月份不符" in history

    # 退回重审 needs a reason (the diagram says so); the page says it beside the field
    refused = page.post(f"/review/tasks/{recheck['task_id']}", data={"csrf_token": token(page, f"/review/tasks/{recheck['task_id']}"), "outcome": "return"})
    assert refused.status_code == 400 and "须填写理由" in refused.get_data(as_text=True)
    api_refused = client.post(f"/api/v1/tasks/{recheck['task_id']}/approval", headers=supervisor, json={"outcome": "reject", "reason": "x"})
    assert api_refused.status_code == 400 and "outcome" in api_refused.get_json()["fields"]  # not offered here
    sent_back = page.post(
        f"/review/tasks/{recheck['task_id']}",
        data={"csrf_token": token(page, f"/review/tasks/{recheck['task_id']}"), "outcome": "return", "reason": "请核对第二个月的缴费凭证"},
    )
    assert sent_back.status_code == 302

    # the reviewer has it again, with the supervisor's reason in the history
    [again] = _tasks(client, reviewer, form="placement_review")
    assert again["task_id"] != review["task_id"]
    reviewer_page = page_login(app, "reviewer_anshan", staff=True)
    assert "请核对第二个月的缴费凭证" in reviewer_page.get(f"/review/tasks/{again['task_id']}").get_data(as_text=True)
    second = {str(m): {"valid": True} for m in claimed}
    assert client.post(f"/api/v1/tasks/{again['task_id']}/decision", headers=reviewer, json={"decisions": second}).status_code == 200

    [recheck2] = _tasks(client, supervisor)
    assert client.post(f"/api/v1/tasks/{recheck2['task_id']}/approval", headers=supervisor, json={"outcome": "approve"}).status_code == 200
    assert _tasks(client, supervisor) == [] and _tasks(client, reviewer) == []
    body = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()
    assert body["status"] == "已审核确认" and body["step"] == "placement_result"
    assert _notices(app) == 1  # told once, after the 复核 approved
    history = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()
    assert history["id"] == pid


def _with_new_lane(xml: str) -> str:
    """The 复核 variant with its 复核 step moved into a lane named by a process owner."""
    xml = xml.replace(
        "        <bpmn:flowNodeRef>recheck</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>recheck_choice</bpmn:flowNodeRef>\n", ""
    )
    return xml.replace(
        '      <bpmn:lane id="supervisor" name="业务主管">',
        '      <bpmn:lane id="rechecker" name="复核人员">\n        <bpmn:flowNodeRef>recheck</bpmn:flowNodeRef>\n'
        '        <bpmn:flowNodeRef>recheck_choice</bpmn:flowNodeRef>\n      </bpmn:lane>\n'
        '      <bpmn:lane id="supervisor" name="业务主管">',
    )


def test_a_new_lane_is_a_row_in_the_lane_table(app, jobs, population):
    system = app.extensions["quotacert"]
    xml = _with_new_lane(RECHECK)
    with pytest.raises(SpecError, match="复核人员"):
        _publish(app, xml)
    with system.transaction() as session:
        add_lane(session, "复核人员", "rechecker", staff=True)
        accounts.create_user(session, "rechecker_anshan", DEMO_PASSWORD, "rechecker", "210300", display_name="鞍山市复核员")
    with system.transaction() as session:
        system.runtime.refresh_settings(session)
    _publish(app, xml)

    client = app.test_client()
    employer = api_login(client, UNIT)
    _pid, claimed = _claimed_person(app, jobs, population, client, employer)
    reviewer = api_login(client, "reviewer_anshan")
    [review] = _tasks(client, reviewer)
    decisions = {str(m): {"valid": True} for m in claimed}
    assert client.post(f"/api/v1/tasks/{review['task_id']}/decision", headers=reviewer, json={"decisions": decisions}).status_code == 200

    rechecker = api_login(client, "rechecker_anshan")
    [task] = _tasks(client, rechecker)
    assert (task["form"], task["role"]) == ("decision", "rechecker")
    assert _tasks(client, api_login(client, "supervisor_anshan")) == []
    page = page_login(app, "rechecker_anshan", staff=True)
    assert page.get("/review/").status_code == 200
    assert client.post(f"/api/v1/tasks/{task['task_id']}/approval", headers=rechecker, json={"outcome": "approve"}).status_code == 200


def test_a_diagram_naming_an_unknown_form_is_refused_and_the_others_still_load(app, tmp_path):
    system = app.extensions["quotacert"]
    bad = RECHECK.replace('<spiffworkflow:property name="form" value="decision" />', '<spiffworkflow:property name="form" value="second_opinion" />')
    with system.transaction() as session, pytest.raises(SpecError) as refused:
        system.registry.register(session, bad, "210000/placement_review.bpmn", LIAONING)
    assert "“安置登记复核”（recheck）" in refused.value.message and "second_opinion" in refused.value.message
    assert "未注册" in refused.value.message

    # a decision step whose settings name an outcome that does not exist
    typo = RECHECK.replace('value="approve,return"', 'value="approve,retrun"')
    with system.transaction() as session, pytest.raises(SpecError, match="retrun"):
        system.registry.register(session, typo, "210000/placement_review.bpmn", LIAONING)

    # at start-up: the bad override is left out, the national diagrams still load
    (tmp_path / LIAONING).mkdir()
    (tmp_path / LIAONING / "placement_review.bpmn").write_text(bad, encoding="utf-8")
    root = Path(__file__).resolve().parents[2] / "workflows"
    for name in ("placement_review.bpmn", "annual_certification.bpmn"):
        (tmp_path / name).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    registry = SpecRegistry(tmp_path, form_rule=system.registry.form_rule)
    with system.transaction() as session:
        registry.sync(session)
        assert list(registry.rejected) == [f"{LIAONING}/placement_review.bpmn"]
        assert registry.current(session, "placement_review", "210302").province == ""


def _second_reviewer(app) -> None:
    with app.extensions["quotacert"].transaction() as session:
        accounts.create_user(session, "reviewer_anshan2", DEMO_PASSWORD, "reviewer", "210300", display_name="鞍山市审核员乙")


def test_two_reviewers_deciding_one_task_at_once_exactly_one_wins(app, jobs, population):
    _second_reviewer(app)
    client = app.test_client()
    employer = api_login(client, UNIT)
    _pid, claimed = _claimed_person(app, jobs, population, client, employer)
    heads = [api_login(client, "reviewer_anshan"), api_login(client, "reviewer_anshan2")]
    [task] = _tasks(client, heads[0])
    decisions = {str(m): {"valid": True} for m in claimed}
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def decide(i: int) -> None:
        own = app.test_client()
        barrier.wait()
        response = own.post(f"/api/v1/tasks/{task['task_id']}/decision", headers=heads[i], json={"decisions": decisions})
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    codes = sorted(a[0] for a in answers)
    assert codes == [200, 409], answers
    loser = next(a[1] for a in answers if a[0] == 409)
    assert "处理" in loser["error"] or "办理" in loser["error"]
    with app.extensions["quotacert"].transaction() as session:
        assert session.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.form == "placement_review")) == 0


def test_a_claim_is_exclusive_and_says_who_holds_it(app, jobs, population):
    _second_reviewer(app)
    client = app.test_client()
    employer = api_login(client, UNIT)
    _pid, claimed = _claimed_person(app, jobs, population, client, employer)
    first, second = api_login(client, "reviewer_anshan"), api_login(client, "reviewer_anshan2")
    [task] = _tasks(client, first)
    assert client.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=first).status_code == 200
    taken = client.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=second)
    assert taken.status_code == 409 and "鞍山市残疾人服务中心 审核员" in taken.get_json()["error"]
    decided = client.post(f"/api/v1/tasks/{task['task_id']}/decision", headers=second, json={"decisions": {str(m): {"valid": True} for m in claimed}})
    assert decided.status_code == 409
    assert [t["assignee"] for t in _tasks(client, second, mine=1)] == []
    assert [t["assignee"] for t in _tasks(client, first, mine=1)] == ["reviewer_anshan"]
    # a supervisor gives it to the second reviewer
    supervisor = api_login(client, "supervisor_anshan")
    assert client.post(f"/api/v1/tasks/{task['task_id']}/assignee", headers=supervisor, json={"assignee": "reviewer_anshan2"}).status_code == 200
    assert client.post(f"/api/v1/tasks/{task['task_id']}/decision", headers=first, json={"decisions": {str(m): {"valid": True} for m in claimed}}).status_code == 409
    assert client.post(f"/api/v1/tasks/{task['task_id']}/decision", headers=second, json={"decisions": {str(m): {"valid": True} for m in claimed}}).status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_role_and_jurisdiction_matrix(app, jobs, population):
    """Another city's reviewer never sees an Anshan task: not listed, not by id, not by
    guessing; an employer has no workbench; the province supervisor of another province
    neither."""
    client = app.test_client()
    employer = api_login(client, UNIT)
    _pid, claimed = _claimed_person(app, jobs, population, client, employer)
    [task] = _tasks(client, api_login(client, "reviewer_anshan"))
    tid = task["task_id"]
    decisions = {"decisions": {str(m): {"valid": True} for m in claimed}}
    bodies = {"decision": decisions, "approval": {"outcome": "approve"}, "supervision": {"action": "remind"},
              "assignee": {"assignee": "reviewer_anshan"}, "send-to-tax": None, "claim": None, "release": None}
    for login in ("reviewer_hangzhou", "supervisor_zhejiang", "reviewer_huhhot"):
        headers = api_login(client, login)
        assert _tasks(client, headers) == []
        assert client.get(f"/api/v1/tasks/{tid}", headers=headers).status_code == 404
        for operation, body in bodies.items():  # every task operation, by guessing the id
            answer = client.post(f"/api/v1/tasks/{tid}/{operation}", headers=headers, json=body)
            assert answer.status_code == 404, (login, operation, answer.get_json())
        page = page_login(app, login, staff=True)
        assert page.get(f"/review/tasks/{tid}").status_code == 404
        for action in ("", "/claim", "/release", "/assign", "/decide", "/send"):
            posted = page.post(f"/review/tasks/{tid}{action}", data={"csrf_token": token(page, "/review/"), "assignee": "x"})
            assert posted.status_code == 404, (login, action, posted.status_code)
        assert tid not in page.get("/review/").get_data(as_text=True)
        assert page.get("/review/export.xlsx").status_code == 200
    # the Anshan supervisor sees the city's tasks only in the supervisor lane: not this one
    supervisor = api_login(client, "supervisor_anshan")
    assert _tasks(client, supervisor) == []
    assert client.get(f"/api/v1/tasks/{tid}", headers=supervisor).status_code == 404
    # employers have no workbench at all
    assert client.get("/api/v1/tasks", headers=employer).status_code == 403
    assert client.get(f"/api/v1/tasks/{tid}", headers=employer).status_code == 403
    employer_page = page_login(app, UNIT)
    assert employer_page.get("/review/").status_code == 403
    assert employer_page.get(f"/review/tasks/{tid}").status_code == 403
    # a region filter outside one's jurisdiction is refused in Chinese
    refused = client.get("/api/v1/tasks", headers=api_login(client, "reviewer_anshan"), query_string={"region": "330100"})
    assert refused.status_code == 400 and "管辖" in refused.get_json()["error"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_inbox_filters_and_tabs(app, jobs, population):
    client = app.test_client()
    employer = api_login(client, UNIT)
    pid, _claimed = _claimed_person(app, jobs, population, client, employer)
    reviewer = api_login(client, "reviewer_anshan")
    with app.extensions["quotacert"].transaction() as session:
        person = session.get(Placement, pid)
        name, number = person.name, person.id_number
    assert len(_tasks(client, reviewer, person=name)) == 1
    assert len(_tasks(client, reviewer, person=number[-6:])) == 1
    assert _tasks(client, reviewer, person="不存在的人") == []
    assert len(_tasks(client, reviewer, q="示范机械")) == 1
    assert _tasks(client, reviewer, year=2024) == []
    assert len(_tasks(client, reviewer, due="later")) == 1
    assert _tasks(client, reviewer, due="overdue") == []
    assert len(_tasks(client, reviewer, region="210302")) == 1
    assert _tasks(client, reviewer, form="case_send_tax") == []
    tabs = client.get("/api/v1/tasks", headers=reviewer).get_json()["tabs"]
    assert tabs == [{"form": "placement_review", "title": "安置登记审核", "count": 1}]
    # a renamed unit is found by its new name (the inbox rows' search labels follow)
    with app.extensions["quotacert"].transaction() as session:
        from casework import units

        unit = session.scalar(select(Unit).where(Unit.credit_code == UNIT))
        data = {c.key: getattr(unit, c.key) for c in Unit.__table__.columns if c.key not in ("id", "created_at", "updated_at")}
        units.update_unit(session, unit.id, {**{k: ("" if v is None else str(v)) for k, v in data.items()}, "name": "鞍山市铁东区更名机械有限公司"})
    assert len(_tasks(client, reviewer, q="更名机械")) == 1 and _tasks(client, reviewer, q="示范机械") == []
    bad = client.get("/api/v1/tasks", headers=reviewer, query_string={"due": "tomorrow"})
    assert bad.status_code == 400 and "办理期限" in bad.get_json()["fields"]["due"]
    page = page_login(app, "reviewer_anshan", staff=True)
    html = page.get("/review/", query_string={"person": name}).get_data(as_text=True)
    cells = lxml_html.fromstring(html).xpath("//table//tbody//td[5]")
    assert [c.text_content().split()[0] for c in cells] == [name]
    assert "安置登记审核 <span class=\"count\">1</span>" in html


def test_a_decision_step_notifies_the_employer_when_the_diagram_says_so(app, jobs, population):
    xml = RECHECK.replace(
        '<spiffworkflow:property name="reason_required" value="return" />',
        '<spiffworkflow:property name="reason_required" value="return" />\n          <spiffworkflow:property name="notify" value="employer" />',
    )
    _publish(app, xml)
    client = app.test_client()
    employer = api_login(client, UNIT)
    _pid, claimed = _claimed_person(app, jobs, population, client, employer)
    reviewer, supervisor = api_login(client, "reviewer_anshan"), api_login(client, "supervisor_anshan")
    [review] = _tasks(client, reviewer)
    decisions = {str(m): {"valid": True} for m in claimed}
    assert client.post(f"/api/v1/tasks/{review['task_id']}/decision", headers=reviewer, json={"decisions": decisions}).status_code == 200
    [recheck] = _tasks(client, supervisor)
    sent = client.post(f"/api/v1/tasks/{recheck['task_id']}/approval", headers=supervisor, json={"outcome": "return", "reason": "合同附件不清晰"})
    assert sent.status_code == 200
    notices = client.get("/api/v1/notices", headers=employer).get_json()["items"]
    assert [n["title"] for n in notices] == ["安置登记复核结果通知"]
    body = client.get(f"/api/v1/notices/{notices[0]['id']}", headers=employer).get_json()["body"]
    assert "退回重审" in body and "合同附件不清晰" in body
