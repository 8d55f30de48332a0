"""参数设置 pages (issue 14): a province's process owner sees each parameter with today's
value, source, upcoming changes and history; adds a change from a day on (the employer's
首页 shows the new 申报期 from that day, by the engine clock); withdraws a pending one;
confirms the shipped demo wage figures. Wrong inputs come back in Chinese beside their
field with nothing stored; other roles and other provinces are refused; no input of any
shape answers 500."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from casework import accounts
from casework.models import AuditEntry, ProvinceParamEntry
from engine.clock import CHINA_TZ
from tests.web.conftest import PASSWORD, csrf_from, login


@pytest.fixture
def owners(db):
    with db() as session:
        accounts.create_user(session, "owner_ln", PASSWORD, "process_owner", "210000", None, "辽宁省残联流程管理员")
        accounts.create_user(session, "owner_zj", PASSWORD, "process_owner", "330000", None, "浙江省残联流程管理员")
    return {"liaoning": "owner_ln", "zhejiang": "owner_zj"}


def signed_in(app, name: str, staff: bool = True):
    client = app.test_client()
    response = login(client, name, staff=staff)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def post(client, url: str, **data):
    token = csrf_from(client, "/params/")
    return client.post(url, data={"csrf_token": token, **data})


def counts(db) -> tuple[int, int]:
    with db() as session:
        return (session.scalar(select(func.count(ProvinceParamEntry.id))),
                session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.contains("参数"))))


def move_to(app, db, moment: datetime) -> None:
    clock = app.extensions["quotacert"].runtime.clock
    with db() as session:
        clock.advance(session, moment - clock.now())


def text(response) -> str:
    return response.get_data(as_text=True)


def test_owner_sees_every_parameter_with_value_source_and_demo_mark(app, owners):
    client = signed_in(app, owners["liaoning"])
    page = client.get("/params/")
    assert page.status_code == 200
    html = text(page)
    assert 'aria-current="page">参数设置' in html and ">流程管理<" in html
    for label in ("安置比例", "申报期", "上传文件大小上限", "超比例奖励基数", "超比例奖励系数", "办理时限",
                  "年审申报撤回须业务主管审批", "女职工退休年龄口径", "残保金征收规则", "工资封顶倍数",
                  "最低工资标准", "社会平均工资", "修改记录"):
        assert label in html, label
    window = html[html.index('id="param-declaration_window"'):html.index('id="param-upload_limit_mb"')]
    assert "每年3月1日至10月31日" in window and "本省文件" in window and "000 鞍山市联网认证公告" in window
    ratio = html[html.index('id="param-quota_ratio"'):html.index('id="param-declaration_window"')]
    assert "1.5%" in ratio and "全国默认" in ratio and "不得低于在职职工总数的1.5%" in ratio
    assert "2028-01-01 起" in html  # the national levy relief ends: an upcoming change
    assert "全国统一规定，本页不能修改" in html
    assert html.count("演示数据，待核实") > 5 and "核实无误" in html
    assert "今天是 <strong>2026-04-15</strong>" in html
    assert "尚无修改记录" in html


def test_other_roles_are_refused(app, owners, staff, employer):
    reviewer = signed_in(app, staff["zhejiang"])
    assert reviewer.get("/params/").status_code == 403
    token = csrf_from(reviewer, "/review/")
    assert reviewer.post("/params/changes", data={"csrf_token": token, "field": "quota_ratio"}).status_code == 403
    assert reviewer.post("/params/confirm", data={"csrf_token": token}).status_code == 403
    assert "参数设置" not in text(reviewer.get("/review/"))
    unit = signed_in(app, employer["login"], staff=False)
    assert unit.get("/params/").status_code == 403
    anonymous = app.test_client().get("/params/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_dated_window_reaches_the_employer_home_on_its_day(app, db, owners, employer):
    owner = signed_in(app, owners["liaoning"])
    response = post(owner, "/params/changes", field="declaration_window", start="03-01", end="09-30",
                    valid_from="2026-05-01", note="辽残联发〔2026〕5号")
    assert response.status_code == 302 and response.headers["Location"].endswith("/params/#param-declaration_window")
    html = text(owner.get("/params/"))
    assert "已保存：申报期自2026-05-01起为每年3月1日至9月30日" in html
    window = html[html.index('id="param-declaration_window"'):html.index('id="param-upload_limit_mb"')]
    assert "每年3月1日至10月31日" in window, "in force today: the file's window"
    assert "2026-05-01 起</strong>：每年3月1日至9月30日" in window and "辽残联发〔2026〕5号" in window
    history = html[html.index('id="history"'):]
    assert "待生效" in history and "2026-04-15 10:00" in history and "辽宁省残联流程管理员（owner_ln）" in history
    with db() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "修改省级参数"))
        assert entry.target == "declaration_window@210000" and entry.detail["valid_from"] == "2026-05-01"

    unit = signed_in(app, employer["login"], staff=False)
    assert "2026年3月1日至2026年10月31日" in text(unit.get("/"))
    move_to(app, db, datetime(2026, 5, 1, 8, 0, tzinfo=CHINA_TZ))  # sessions expire: sign in again
    unit, owner = signed_in(app, employer["login"], staff=False), signed_in(app, owners["liaoning"])
    home = text(unit.get("/"))
    assert "2026年3月1日至2026年9月30日" in home and "距申报截止还有152天" in home
    html = text(owner.get("/params/"))
    assert "今天是 <strong>2026-05-01</strong>" in html and "已生效" in html
    window = html[html.index('id="param-declaration_window"'):html.index('id="param-upload_limit_mb"')]
    assert "每年3月1日至9月30日" in window and "本省修改" in window


def test_wrong_inputs_come_back_beside_their_field_and_nothing_is_stored(app, db, owners):
    owner = signed_in(app, owners["zhejiang"])
    before = counts(db)
    response = post(owner, "/params/changes", field="time_limits", window_acceptance="3", manual_review="十",
                    feedback="7", send_to_tax="20", certificate_download_after="3", valid_from="2026-04-01")
    assert response.status_code == 422
    html = text(response)
    assert "未保存：请修改标红的内容后再提交" in html
    assert re.search(r'id="time_limits-manual_review"[^>]*value="十"[^>]*aria-invalid="true"', html)
    assert "请填写工作日天数（0或正整数）" in html
    assert "生效日期不能早于今天（2026-04-15）" in html
    assert '<details class="change-form" id="form-time_limits" open>' in html
    response = post(owner, "/params/changes", field="minimum_wage", region="210300", value="abc",
                    valid_from="2026-05-01")
    assert response.status_code == 422
    assert "请选择本省（区、市）现行的行政区划" in text(response) and "请填写数字" in text(response)
    response = post(owner, "/params/changes", field="levy_rule", valid_from="2026-05-01")
    assert response.status_code == 422 and "由国家统一规定，不能按省修改" in text(response)
    assert counts(db) == before


def test_garbage_never_answers_500(app, db, owners):
    owner = signed_in(app, owners["zhejiang"])
    token = csrf_from(owner, "/params/")
    before = counts(db)
    junk = ["", " ", "x" * 100_000, "\x00", "９９", "²", "٣", "1e309", "NaN", "-0", "1.5%%", "2026-02-30",
            "99999-01-01", "<script>alert(1)</script>", "' OR 1=1 --", "０３-０１"]
    for field in ("quota_ratio", "upload_limit_mb", "declaration_window", "time_limits", "reward_base",
                  "withdrawal_needs_supervisor", "female_retirement_track", "minimum_wage",
                  "social_average_wage", "levy_rule", "nonsense"):
        for value in junk:
            data = {"csrf_token": token, "field": field, "value": value, "start": value, "end": value,
                    "region": value, "year": value, "valid_from": value, "valid_to": value, "note": value,
                    "manual_review": value}
            for dates in ({}, {"valid_from": "2026-06-01", "valid_to": "", "note": ""}):
                response = owner.post("/params/changes", data={**data, **dates})
                assert response.status_code == 422, (field, value[:20], dates, response.status_code)
                assert "<script>alert(1)</script>" not in text(response)
    for data in ({"table": "x" * 10_000, "region": "330100"}, {"table": "minimum_wage", "region": "\x00"},
                 {"table": "minimum_wage"}, {}):
        response = owner.post("/params/confirm", data={"csrf_token": token, **data})
        assert response.status_code in (302, 403, 404), (data, response.status_code)
    for entry_id in ("0", "99999999999999999999", "abc"):
        assert owner.post(f"/params/changes/{entry_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert owner.post("/params/changes", data={"field": "quota_ratio", "value": "1.6",
                                               "valid_from": "2026-05-01"}).status_code == 400  # no CSRF
    assert counts(db) == before


def test_withdraw_a_pending_change_and_confirm_demo_figures(app, db, owners):
    owner = signed_in(app, owners["zhejiang"])
    response = post(owner, "/params/changes", field="reward_base", value="7000", valid_from="2026-06-01")
    assert response.status_code == 302
    with db() as session:
        entry_id = session.scalar(select(ProvinceParamEntry.id))

    other = signed_in(app, owners["liaoning"])
    assert post(other, f"/params/changes/{entry_id}/cancel").status_code == 404
    assert post(other, "/params/confirm", table="minimum_wage", region="330100").status_code == 403

    response = post(owner, f"/params/changes/{entry_id}/cancel")
    assert response.status_code == 302 and response.headers["Location"].endswith("#history")
    html = text(owner.get("/params/"))
    assert f"已撤销记录{entry_id}" in html and "已撤销" in html and "撤销修改" in html
    reward = html[html.index('id="param-reward_base"'):html.index('id="param-reward_coefficient"')]
    assert "2026-06-01 起" not in reward
    response = post(owner, f"/params/changes/{entry_id}/cancel")
    assert response.status_code == 302 and "该修改已撤销" in text(owner.get("/params/"))

    badges = text(owner.get("/params/")).count("演示数据，待核实")
    response = post(owner, "/params/confirm", table="social_average_wage", region="330100")
    assert response.status_code == 302
    html = text(owner.get("/params/"))
    assert "已核实浙江省/杭州市的社会平均工资，不再标注为演示数据" in html
    assert html.count("演示数据，待核实") == badges - 3  # 2022–2024 of 杭州
    assert "核实演示数据" in html
    with db() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                   if "参数" in e.action]
    assert actions == ["修改省级参数", "撤销省级参数修改", "核实省级参数"]


def test_page_renders_and_posts_on_both_databases(tmp_path, database_url):
    from tests.web.conftest import employer_app

    with employer_app(tmp_path, database_url) as (app, _unit_login):
        with app.extensions["quotacert"].transaction() as session:
            accounts.create_user(session, "owner_ln", PASSWORD, "process_owner", "210000", None, "辽宁省残联流程管理员")
        owner = signed_in(app, "owner_ln")
        response = post(owner, "/params/changes", field="minimum_wage", region="210300", value="2250",
                        valid_from="2026-07-01", note="辽人社发")
        assert response.status_code == 302
        response = post(owner, "/params/changes", field="minimum_wage", region="210300", value="2250",
                        valid_from="2026-07-01", note="\x00")
        assert response.status_code == 422 and "控制字符" in text(response)
        html = text(owner.get("/params/"))
        row = html[html.index("辽宁省/鞍山市 <span"):]
        row = row[:row.index("</tr>")]
        assert "1900 元/月" in row and "2026-07-01 起</strong>：2250 元/月" in row and "演示数据，待核实" in row
        assert "2026-04-15 10:00" in html[html.index('id="history"'):]


def test_the_page_asks_the_largest_change_id_once_per_request(app, owners):
    """The overview looks up every parameter on several days; the database is asked
    whether the owners' changes moved once for the request, and a saved change shows at
    once on the page the save redirects to."""
    from sqlalchemy import event

    source = app.extensions["quotacert"].param_changes
    asked: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "max(" in statement.lower():
            asked.append(statement)

    event.listen(source._engine, "before_cursor_execute", count)
    client = signed_in(app, owners["zhejiang"])
    asked.clear()
    assert client.get("/params/").status_code == 200
    assert len(asked) == 1
    response = post(client, "/params/changes", field="reward_base", value="7100", valid_from="2026-04-15")
    assert response.status_code == 302
    html = text(client.get(response.headers["Location"]))
    base = html[html.index('id="param-reward_base"'):html.index('id="param-reward_coefficient"')]
    assert "7100" in base and "本省修改" in base


def test_a_refusal_about_the_whole_value_sits_beside_the_forms_first_input(app, db, owners):
    """The page reads the form through the change's one declaration: a value equal to the
    one in force is named beside the first input of its own form (the 申报期's start, the
    first time limit), and a note longer than allowed is refused as typed, not cut."""
    owner = signed_in(app, owners["zhejiang"])
    before = counts(db)
    response = post(owner, "/params/changes", field="declaration_window", start="03-01", end="12-31",
                    concentrated_start="04-01", concentrated_end="06-30", valid_from="2026-05-01")
    assert response.status_code == 422
    html = text(response)
    assert re.search(r'id="declaration_window-start"[^>]*aria-invalid="true"', html)
    assert 'id="declaration_window-start-error" role="alert">与该日起适用的值相同，无需修改' in html
    response = post(owner, "/params/changes", field="time_limits", window_acceptance="3", manual_review="10",
                    feedback="7", send_to_tax="20", certificate_download_after="3", valid_from="2026-05-01")
    assert response.status_code == 422
    assert 'id="time_limits-window_acceptance-error" role="alert">与该日起适用的值相同' in text(response)
    note = "依" * 201
    response = post(owner, "/params/changes", field="reward_base", value="7000", valid_from="2026-06-01", note=note)
    assert response.status_code == 422
    html = text(response)
    assert "依据说明不能超过200字" in html and f'value="{note}"' in html
    assert counts(db) == before
