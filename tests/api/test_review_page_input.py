"""The reviewer's decision page and the placement page's material upload validate through
the API's declarations (DecisionInput, MaterialChoice/MaterialInput): the same mistake
gets the same Chinese message from the page (beside the field, input kept) and from the
API, and changes nothing."""

from __future__ import annotations

from io import BytesIO

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from casework.models import Attachment
from casework.schemas import parse
from casework.schemas.placements import MaterialChoice, MaterialInput
from casework.schemas.review import REASON_REQUIRED, UNKNOWN_MONTH, DecisionInput
from domain.errors import FieldErrors
from engine.models import InboxTask
from tests.api.conftest import api_login
from tests.api.files import png_bytes
from tests.api.test_journey import UNIT, register, upload
from tests.api.test_pages import page_login, token

sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TOO_LONG = "理" * 201


# -- the rules are the declaration's --------------------------------------------------------
@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ({"3": {"valid": "0", "reason": "  "}}, {"month_3": REASON_REQUIRED}),
        ({"3": {"valid": "1", "reason": TOO_LONG}}, {"month_3": "理由不能超过200个字"}),
        ({"13": {"valid": "1"}}, {"month_13": UNKNOWN_MONTH}),
        ({"3": {"reason": "x"}}, {"month_3": "请选择认定结果"}),
    ],
)
def test_decision_rules_are_declared_once(decisions, expected):
    """Page text (lenient) and JSON (strict) meet the same rule and message, keyed by month."""
    for strict, data in ((False, decisions), (True, _as_json(decisions))):
        with pytest.raises(FieldErrors) as refused:
            parse(DecisionInput, {"decisions": data}, strict=strict)
        assert refused.value.errors == expected


def _as_json(decisions: dict) -> dict:
    return {
        month: {k: (v == "1") if k == "valid" else v for k, v in d.items()}
        for month, d in decisions.items()
    }


def test_material_choice_is_the_api_declaration():
    """The page's model is the API's minus the file id: one field, one rule, one message."""
    assert MaterialChoice.model_fields["material"] is not None
    assert issubclass(MaterialInput, MaterialChoice)
    with pytest.raises(FieldErrors) as refused:
        parse(MaterialChoice, {"material": "身份证复印件"}, strict=False)
    assert refused.value.errors == {"material": "请选择材料类型"}


# -- through the app ------------------------------------------------------------------------
@pytest.fixture
def gap_person(app, jobs, population):
    """An employer's person whose failed months wait for 人员信息校验 (select_months)."""
    client = app.test_client()
    employer = api_login(client, UNIT)
    person = population.select(unit=UNIT, scenario="insurance_gap")[0]
    pid = register(client, employer, person)
    jobs()
    months = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()["months"]
    failed = [m["month"] for m in months if not m["passed"]]
    passed = [m["month"] for m in months if m["passed"]]
    assert failed
    return client, employer, pid, passed, failed


def _attachments(app) -> int:
    with app.extensions["quotacert"].transaction() as session:
        return session.scalar(select(func.count()).select_from(Attachment))


def _page_errors(html: str) -> list[str]:
    return [li.text_content().strip() for li in lxml_html.fromstring(html).xpath("//div[contains(@class,'alert-error')]//li")]


@sqlite
def test_material_upload_page_and_api_same_message(app, gap_person):
    client, employer, pid, _passed, _failed = gap_person
    page = page_login(app, UNIT)
    att = upload(client, employer, png_bytes(), "凭证.png", "pension_proof")

    def page_upload(material: str):
        return page.post(
            f"/placements/{pid}/materials",
            data={"csrf_token": token(page, f"/placements/{pid}"), "material": material,
                  "attachments": (BytesIO(png_bytes()), "凭证.png")},
            content_type="multipart/form-data",
        )

    before = _attachments(app)
    for wrong in ("身份证复印件", "", "社会保险缴费凭证" * 20):
        api = client.post(f"/api/v1/placements/{pid}/materials", headers=employer, json={"attachment_id": att, "material": wrong})
        assert api.status_code == 400
        message = api.get_json()["fields"]["material"]
        refused = page_upload(wrong)
        assert refused.status_code == 400
        assert _page_errors(refused.get_data(as_text=True)) == [message]
    assert _attachments(app) == before  # the page stored no file for a refused choice

    # What the API accepts the page accepts: the declaration trims the choice (the page's
    # own lookup refused " 社会保险缴费凭证 ").
    padded = " 社会保险缴费凭证 "
    assert client.post(f"/api/v1/placements/{pid}/materials", headers=employer, json={"attachment_id": att, "material": padded}).status_code == 200
    assert page_upload(padded).status_code == 302
    materials = client.get(f"/api/v1/placements/{pid}", headers=employer).get_json()
    assert _attachments(app) == before + 1
    assert "社会保险缴费凭证" in page.get(f"/placements/{pid}").get_data(as_text=True)
    assert materials["id"] == pid


@pytest.fixture
def review_task(app, gap_person):
    """A manual_review task for up to two claimed months, and the reviewer's page and API."""
    client, employer, pid, passed, failed = gap_person
    claimed = failed[:2]
    att = upload(client, employer, png_bytes(), "缴费凭证.png", "pension_proof")
    assert client.post(f"/api/v1/placements/{pid}/materials", headers=employer, json={"attachment_id": att, "material": "社会保险缴费凭证"}).status_code == 200
    response = client.post(f"/api/v1/placements/{pid}/months", headers=employer, json={"selected_months": passed + claimed})
    assert response.status_code == 200 and response.get_json()["claimed_months"] == claimed, response.get_json()
    reviewer_api = api_login(client, "reviewer_anshan")
    task = next(t for t in client.get("/api/v1/tasks", headers=reviewer_api).get_json()["items"] if t["form"] == "placement_review")
    reviewer_page = page_login(app, "reviewer_anshan", staff=True)
    return client, reviewer_api, reviewer_page, task["task_id"], claimed, pid


def _beside(html: str, month: int) -> str:
    """The error shown in the row of `month`, beside its 有效/无效 and reason inputs."""
    cell = lxml_html.fromstring(html).xpath(f"//input[@name='valid_{month}']/ancestor::div[1]")
    assert cell, f"no inputs for month {month}"
    errors = cell[0].xpath(".//div[contains(@class,'field-error')]")
    return errors[0].text_content().strip() if errors else ""


def _task_open(app, task_id: str) -> bool:
    with app.extensions["quotacert"].transaction() as session:
        return session.get(InboxTask, task_id) is not None


@sqlite
def test_decision_page_and_api_same_message(app, review_task):
    client, reviewer_api, reviewer_page, task_id, claimed, pid = review_task
    month = claimed[0]
    others = {str(m): {"valid": True} for m in claimed[1:]}
    others_form = {f"valid_{m}": "1" for m in claimed[1:]}
    unclaimed = next(m for m in range(1, 13) if m not in claimed)
    year = client.get(f"/api/v1/tasks/{task_id}", headers=reviewer_api).get_json()["year"]

    def api(decisions: dict) -> dict:
        response = client.post(f"/api/v1/tasks/{task_id}/decision", headers=reviewer_api, json={"decisions": decisions})
        assert response.status_code == 400, response.get_json()
        return response.get_json()["fields"]

    def page(form: dict) -> str:
        csrf = token(reviewer_page, f"/review/tasks/{task_id}")
        response = reviewer_page.post(f"/review/tasks/{task_id}/decide", data={"csrf_token": csrf, **others_form, **form})
        assert response.status_code == 400
        return response.get_data(as_text=True)

    # the page's input limit is the declaration's
    form = lxml_html.fromstring(reviewer_page.get(f"/review/tasks/{task_id}").get_data(as_text=True))
    limit = DecisionInput.model_json_schema()["$defs"]["Decision"]["properties"]["reason"]["maxLength"]
    assert form.xpath(f"//input[@name='reason_{month}']/@maxlength") == [str(limit)]

    # too-long reason: beside the month, the reason kept
    fields = api({str(month): {"valid": False, "reason": TOO_LONG}, **others})
    assert fields == {f"month_{month}": "理由不能超过200个字"}
    html = page({f"valid_{month}": "0", f"reason_{month}": TOO_LONG})
    assert _beside(html, month) == fields[f"month_{month}"]
    assert f'value="{TOO_LONG}"' in html
    assert lxml_html.fromstring(html).xpath(f"//input[@name='valid_{month}' and @value='0']/@checked") != []

    # 无效 without a reason
    fields = api({str(month): {"valid": False, "reason": " "}, **others})
    assert fields == {f"month_{month}": REASON_REQUIRED}
    assert _beside(page({f"valid_{month}": "0", f"reason_{month}": " "}), month) == REASON_REQUIRED

    # a month that is no month: on top of the page (there is no row to put it beside)
    fields = api({str(month): {"valid": True}, "13": {"valid": True}, **others})
    assert fields == {"month_13": UNKNOWN_MONTH}
    html = page({f"valid_{month}": "1", "valid_13": "1"})
    assert _page_errors(html) == [UNKNOWN_MONTH] and _beside(html, month) == ""

    # a month that was not claimed (the command's check: it needs the case)
    expected = f"{year}年{unclaimed}月不是本次审核的月份"
    fields = api({str(month): {"valid": True}, str(unclaimed): {"valid": True}, **others})
    assert fields == {f"month_{unclaimed}": expected}
    assert _page_errors(page({f"valid_{month}": "1", f"valid_{unclaimed}": "1"})) == [expected]

    # a claimed month left undecided (the command's check)
    fields = api(others)
    assert fields == {f"month_{month}": f"请认定{year}年{month}月有效或无效"}
    assert _beside(page({f"reason_{month}": "x"}), month) == fields[f"month_{month}"]

    assert _task_open(app, task_id)  # nothing above changed anything

    csrf = token(reviewer_page, f"/review/tasks/{task_id}")
    done = reviewer_page.post(
        f"/review/tasks/{task_id}/decide",
        data={"csrf_token": csrf, **others_form, f"valid_{month}": "0", f"reason_{month}": "  凭证月份不符 "},
    )
    assert done.status_code == 302
    assert not _task_open(app, task_id)
    months = client.get(f"/api/v1/placements/{pid}", headers=api_login(client, UNIT)).get_json()["months"]
    refused = next(m for m in months if m["month"] == month)
    assert refused["decision"] == "无效" and refused["decision_reason"] == "凭证月份不符"
