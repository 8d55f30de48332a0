"""GET /api/v1/registry/persons/<身份证号>: what each caller may learn, the audit row of
every look-up, and the rate limit per unit (Chinese 429). Against the simulator's
registry over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.demo import DEMO_PASSWORD, load_demo
from casework.models import AuditEntry, User
from casework.settings import Settings
from domain.id_number import mask_id_number
from tests.api.conftest import api_login
from webapp import create_app

UNIT_A = "91210302052118596L"  # 鞍山市铁东区 (残联: 210302)
UNIT_B = "913301064149113062"  # 杭州市西湖区
AUTOFILL_KEYS = {"found", "scope", "id_number", "name", "sex", "birth_date", "age", "certificates"}
CERT_KEYS = {"number", "kind", "grade", "grade_name", "valid_from", "valid_to"}
PRIVATE = ("phone", "household_address", "household_region")


def url(id_number: str) -> str:
    return f"/api/v1/registry/persons/{id_number}"


def place(client, headers, person) -> int:
    """Unit registers the person (安置登记 step 1), as the wizard does."""
    body = {
        "id_number": person.id_number, "name": person.person.name, "phone": "13812345678",
        "household_type": "本市户籍", "household_region": "210302",
        "household_address": "鞍山市铁东区示范路1号",
    }  # fmt: skip
    response = client.post("/api/v1/placements", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def lookups(app) -> list[AuditEntry]:
    with app.extensions["quotacert"].transaction() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "registry_lookup").order_by(AuditEntry.id)
        ).all()
        session.expunge_all()
        return list(rows)


def test_another_unit_gets_only_what_the_autofill_needs(app, population):
    """The issue's finding: 5 of 5 people of unit A were readable by unit B (name, phone,
    address, certificates). Now B gets the autofill fields, masked, and no contact data."""
    client = app.test_client()
    unit_b = api_login(client, UNIT_B)
    people = population.select(unit=UNIT_A)[:5]
    assert len(people) == 5
    for person in people:
        response = client.get(url(person.id_number), headers=unit_b)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == AUTOFILL_KEYS, body
        assert body["found"] is True and body["scope"] == "autofill"
        assert body["name"] == person.person.name and body["sex"] == person.person.sex
        assert body["birth_date"] == person.person.birth_date.isoformat()
        assert body["id_number"] == mask_id_number(person.id_number) != person.id_number
        registry_certs = person.person.certificates
        assert len(body["certificates"]) == len(registry_certs) >= 1
        for shown, real in zip(body["certificates"], registry_certs, strict=True):
            assert set(shown) == CERT_KEYS  # no disability category either
            assert "*****" in shown["number"] and shown["number"] != real.number
            assert shown["grade"] == real.grade
            assert shown["valid_to"] == real.valid_to.isoformat()
        text = response.get_data(as_text=True)
        assert person.person.household_address not in text
        if person.person.phone:
            assert person.person.phone not in text


def test_contact_data_only_for_a_person_the_unit_has_placed(app, population):
    client = app.test_client()
    unit_a = api_login(client, UNIT_A)
    unit_b = api_login(client, UNIT_B)
    person = population.select(unit=UNIT_A, scenario="clean")[0]
    before = client.get(url(person.id_number), headers=unit_a).get_json()
    assert before["scope"] == "autofill" and not set(PRIVATE) & set(before)

    place(client, unit_a, person)
    placed = client.get(url(person.id_number), headers=unit_a).get_json()
    assert placed["scope"] == "placed"
    assert placed["phone"] == person.person.phone
    assert placed["household_address"] == person.person.household_address
    assert placed["household_region"] == person.person.household_region
    assert placed["certificates"][0]["category"] == person.person.certificates[0].category
    assert "*****" in placed["certificates"][0]["number"]  # still masked, as in the lists

    other = client.get(url(person.id_number), headers=unit_b).get_json()
    assert other["scope"] == "autofill" and not set(PRIVATE) & set(other)


def test_staff_only_within_jurisdiction_and_only_placed_people(app, population):
    client = app.test_client()
    unit_a = api_login(client, UNIT_A)
    placed, unplaced = population.select(unit=UNIT_A, scenario="clean")[:2]
    place(client, unit_a, placed)

    anshan = api_login(client, "reviewer_anshan")  # 210300: 鞍山市, unit A's city
    review = client.get(url(placed.id_number), headers=anshan)
    assert review.status_code == 200
    body = review.get_json()
    assert body["scope"] == "review" and body["phone"] == placed.person.phone
    assert body["household_address"] == placed.person.household_address

    not_placed = client.get(url(unplaced.id_number), headers=anshan)
    assert not_placed.status_code == 404
    assert "管辖范围" in not_placed.get_json()["error"]

    hangzhou = api_login(client, "reviewer_hangzhou")
    elsewhere = client.get(url(placed.id_number), headers=hangzhou)
    assert elsewhere.status_code == 404 and "管辖范围" in elsewhere.get_json()["error"]
    assert placed.person.name not in elsewhere.get_data(as_text=True)


def test_every_lookup_is_audited_with_who_which_and_when(app, population):
    client = app.test_client()
    unit_b = api_login(client, UNIT_B)
    hangzhou = api_login(client, "reviewer_hangzhou")
    person = population.select(unit=UNIT_A)[0]
    unknown = "11010519491231002X"  # a valid number the registry does not know
    assert client.get(url(person.id_number), headers=unit_b).status_code == 200
    missing = client.get(url(unknown), headers=unit_b)
    assert missing.status_code == 200 and missing.get_json()["found"] is False
    assert set(missing.get_json()) == {"found", "scope", "id_number", "sex", "birth_date", "age"}
    assert client.get(url(person.id_number), headers=hangzhou).status_code == 404
    bad = client.get(url("123"), headers=unit_b)  # not an ID number: 400, no look-up
    assert bad.status_code == 400 and bad.get_json()["fields"]["id_number"]
    assert app.test_client().get(url(person.id_number)).status_code == 401  # nor anonymous

    system = app.extensions["quotacert"]
    with system.transaction() as session:
        b_user = session.scalar(select(User).where(User.login == UNIT_B))
        b_user_id, b_unit_id = b_user.id, b_user.unit_id
    rows = lookups(app)
    assert [(r.target, r.detail["scope"], r.detail.get("outcome")) for r in rows] == [
        (person.id_number, "autofill", "found"),
        (unknown, "autofill", "not_found"),
        (person.id_number, "refused", None),  # refused for scope, still recorded
    ]
    first = rows[0]
    assert first.user_id == b_user_id and first.role == "employer"
    assert first.detail["unit_id"] == b_unit_id and first.ip == "127.0.0.1"
    assert rows[2].role == "reviewer" and rows[2].actor == "杭州市残联 审核员"
    now = system.runtime.clock.now()
    for row in rows:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=now.tzinfo)
        assert abs(at - now) < timedelta(minutes=1)  # the engine clock's time


@pytest.fixture
def limited_app(tmp_path, simulator_url):
    """Rate limiting on (the shared app fixture turns it off), with a small limit."""
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'rl.db'}",
                        simulator_url=simulator_url, job_runner="manual", adapter_timeout=5.0)  # fmt: skip
    app = create_app(settings, test_config={
        "TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: "AB12",
        "RATELIMIT_ENABLED": True, "REGISTRY_LOOKUP_LIMIT": "3 per minute;5 per day",
    })  # fmt: skip
    with app.extensions["quotacert"].transaction() as session:
        load_demo(session)
    yield app
    app.extensions["quotacert"].close()


def test_rate_limit_is_per_unit_and_answers_in_chinese(limited_app, population):
    app = limited_app
    person = population.select(unit=UNIT_A)[0]
    first = app.test_client(use_cookies=False)
    second = app.test_client(use_cookies=False)  # another login of the same unit
    unit_a = api_login(first, UNIT_A, DEMO_PASSWORD)
    unit_a_again = api_login(second, UNIT_A, DEMO_PASSWORD)
    unit_b = api_login(first, UNIT_B, DEMO_PASSWORD)

    statuses = [first.get(url(person.id_number), headers=unit_a).status_code for _ in range(2)]
    statuses.append(second.get(url(person.id_number), headers=unit_a_again).status_code)
    assert statuses == [200, 200, 200]
    refused = second.get(url(person.id_number), headers=unit_a_again)
    assert refused.status_code == 429  # the unit's 4th in a minute, whichever account
    assert refused.mimetype == "application/json"
    assert refused.get_json()["error"] == "操作过于频繁，请稍后再试。"
    assert refused.headers.get("Retry-After")
    bad = first.get(url("123"), headers=unit_a)
    assert bad.status_code == 429  # malformed numbers count too: no free probing

    assert first.get(url(person.id_number), headers=unit_b).status_code == 200  # B's own
    assert len(lookups(app)) == 4  # the refused requests never reached the registry


def test_registry_outage_is_a_chinese_error_and_still_audited(app, population, sim_control):
    client = app.test_client()
    unit_b = api_login(client, UNIT_B)
    person = population.select(unit=UNIT_A)[0]
    sim_control(outage=["cdpf"])
    response = client.get(url(person.id_number), headers=unit_b)
    assert response.status_code in (400, 503)
    assert "残疾人证信息系统暂时无法访问" in response.get_json()["error"]
    [row] = lookups(app)
    assert row.target == person.id_number
    assert row.detail == {"scope": "autofill", "unit_id": row.detail["unit_id"],
                          "outcome": "registry_unavailable"}  # fmt: skip
