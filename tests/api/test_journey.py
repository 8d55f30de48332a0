"""The issue's end-to-end journey through the HTTP API: an employer declares three
people, the worker auto-verifies them against the simulator, one failed month is
claimed, the reviewer approves it, the employer completes the declaration, and the
reviewer sends the result to tax. Runs on SQLite (in-process executor) and on
PostgreSQL (Redis + a real RQ worker)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader

from tests.api.conftest import api_login
from tests.api.files import pdf_bytes, png_bytes

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司


def person_json(p) -> dict:
    return {
        "id_number": p.id_number,
        "name": p.person.name,
        "phone": "13812345678",
        "household_type": "本市户籍",
        "household_region": p.person.household_region if len(p.person.household_region) == 6 else "210302",
        "household_address": p.person.household_address or "鞍山市铁东区示范路1号",
    }


def upload(client, headers, data: bytes, name: str, kind: str = "") -> int:
    response = client.post(
        "/api/v1/attachments", headers=headers,
        data={"file": (BytesIO(data), name), "kind": kind}, content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def register(client, headers, p) -> int:
    response = client.post("/api/v1/placements", headers=headers, json=person_json(p))
    assert response.status_code == 201, response.get_json()
    pid = response.get_json()["id"]
    c = p.contracts[-1]
    contract = {
        "dispatched": c.dispatched, "relation": c.relation,
        "contract_type": "劳务派遣" if c.dispatched else "固定期限",
        "start": c.start.isoformat(), "end": c.end.isoformat(), "position": "装配工",
        "monthly_wage": c.monthly_wage, "agency_unit": c.agency_unit, "pension_unit": c.pension_unit,
        "medical_unit": c.medical_unit, "wage_unit": c.wage_unit,
        "attachment_ids": [upload(client, headers, pdf_bytes("labour contract"), "合同.pdf", "contract")],
    }
    response = client.post(f"/api/v1/placements/{pid}/contracts", headers=headers, json=contract)
    assert response.status_code == 201, response.get_json()
    response = client.post(f"/api/v1/placements/{pid}/submit", headers=headers)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["step"] == "verifying"
    return pid


def test_declare_verify_claim_review_complete(app, jobs, population):
    client = app.test_client()
    employer = api_login(client, UNIT)
    people = population.select(unit=UNIT, scenario="clean")[:2] + population.select(unit=UNIT, scenario="insurance_gap")[:1]
    ids = [register(client, employer, p) for p in people]

    jobs()  # the worker asks every outside system, month by month

    grids = {}
    for pid in ids:
        body = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()
        assert body["step"] == "placement_months", body
        assert len(body["months"]) == 12
        grids[pid] = body["months"]
    clean_a, clean_b, gap = ids
    assert all(m["passed"] for m in grids[clean_a])
    failed = [m["month"] for m in grids[gap] if not m["passed"]]
    assert failed and not all(m["checks"]["pension"] for m in grids[gap])

    for pid in (clean_a, clean_b):
        response = client.post(f"/api/v1/placements/{pid}/months", headers=employer, json={"selected_months": list(range(1, 13))})
        assert response.status_code == 200 and response.get_json()["claimed_months"] == []
        assert response.get_json()["placement"]["status"] == "已审核确认"

    # Claim one failed month: without the 社会保险缴费凭证 it is refused, nothing changes.
    passed = [m["month"] for m in grids[gap] if m["passed"]]
    claim = failed[0]
    refused = client.post(f"/api/v1/placements/{gap}/months", headers=employer, json={"selected_months": passed + [claim]})
    assert refused.status_code == 400 and "社会保险缴费凭证" in refused.get_json()["fields"]["materials"]
    att = upload(client, employer, png_bytes(), "缴费凭证.png", "pension_proof")
    assert client.post(f"/api/v1/placements/{gap}/materials", headers=employer, json={"attachment_id": att, "material": "社会保险缴费凭证"}).status_code == 200
    response = client.post(f"/api/v1/placements/{gap}/months", headers=employer, json={"selected_months": passed + [claim]})
    assert response.status_code == 200 and response.get_json()["claimed_months"] == [claim]
    assert response.get_json()["placement"]["status"] == "待审核"

    # Completing now is refused: the claimed person is not confirmed yet.
    early = client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True})
    assert early.status_code == 400 and "未“已审核确认”" in early.get_json()["error"]

    reviewer = api_login(client, "reviewer_anshan")
    other_reviewer = api_login(client, "reviewer_hangzhou")
    tasks = client.get("/api/v1/tasks", headers=reviewer).get_json()["items"]
    review_task = next(t for t in tasks if t["form"] == "placement_review")
    assert review_task["placement"]["id"] == gap and review_task["due_at"]
    assert client.get(f"/api/v1/tasks/{review_task['task_id']}", headers=other_reviewer).status_code == 404
    assert client.get("/api/v1/tasks", headers=other_reviewer).get_json()["total"] == 0
    detail = client.get(f"/api/v1/tasks/{review_task['task_id']}", headers=reviewer).get_json()
    assert detail["materials"]["社会保险缴费凭证"] == [att]
    bad = client.post(f"/api/v1/tasks/{review_task['task_id']}/decision", headers=reviewer, json={"decisions": {}})
    assert bad.status_code == 400 and f"month_{claim}" in bad.get_json()["fields"]
    ok = client.post(f"/api/v1/tasks/{review_task['task_id']}/decision", headers=reviewer, json={"decisions": {str(claim): {"valid": True}}})
    assert ok.status_code == 200, ok.get_json()

    body = client.get(f"/api/v1/placements/{gap}", headers=employer).get_json()
    assert body["status"] == "已审核确认" and body["confirmed_by"] == "人工"
    assert body["confirmed_months"] == len(passed) + 1
    notices = client.get("/api/v1/notices", headers=employer).get_json()
    titles = [n["title"] for n in notices["items"]]
    assert f"安置人员“{people[2].person.name}”资料审核完成通知" in titles

    # Another employer cannot see these people.
    stranger = api_login(client, "91210303306812749R")
    assert client.get(f"/api/v1/placements/{gap}", headers=stranger).status_code == 404

    done = client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True})
    assert done.status_code == 200, done.get_json()
    case = done.get_json()
    assert case["locked"] and case["stage"] == "declared" and case["registered_people"] == 3
    locked = client.post("/api/v1/placements", headers=employer, json=person_json(population.select(unit=UNIT, scenario="severe")[0]))
    assert locked.status_code == 400 and "已完成申报" in locked.get_json()["error"]

    # 审核认定书: three working days after 完成申报 (the diagram's timer on the engine clock).
    assert client.get("/api/v1/case/certificate.pdf", headers=employer).status_code == 409
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(days=7))
    jobs()
    # API tokens expire after 12 hours on the engine clock: a week later, sign in again.
    employer, reviewer = api_login(client, UNIT), api_login(client, "reviewer_anshan")
    pdf = client.get("/api/v1/case/certificate.pdf", headers=employer)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "审核认定书" in text and people[2].person.name in text

    send = next(t for t in client.get("/api/v1/tasks", headers=reviewer).get_json()["items"] if t["form"] == "case_send_tax")
    assert client.post(f"/api/v1/tasks/{send['task_id']}/send-to-tax", headers=reviewer).status_code == 202
    jobs()  # the worker pushes the result to the tax bureau
    assert client.get("/api/v1/case", headers=employer).get_json()["stage"] == "sent_to_tax"
