"""Owners' dated changes laid over the parameter files (domain only, no database): a change
from day D wins from D on, the files stay in force before; the most specific region still
wins for wages; the module functions follow the declared ChangeSource as soon as its
generation moves; and the one set of converters answers in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import params
from domain.declaration_period import declaration_period
from domain.errors import DomainError
from domain.param_changes import ORIGIN_CHANGE, ORIGIN_FILE, ORIGIN_NATIONAL, ParamChange
from domain.params import ParamsStore
from domain.params_types import check_value
from domain.reward import reward_for


def change(id: int, key: str, value, start: date, **kw) -> ParamChange:  # noqa: A002
    return ParamChange(id=id, province=kw.pop("province", "21"), key=key, value=value, start=start, **kw)


@pytest.fixture
def restore_hook():
    """The module hook is process-wide: put back whatever was declared before."""
    before = params._layering.source
    yield
    params.use_changes(before)


def test_a_change_wins_from_its_day_and_not_before():
    store = ParamsStore().with_changes([change(1, "quota_ratio", "0.017", date(2026, 5, 1))])
    assert store.params_for("210302", date(2026, 4, 30)).quota_ratio == Decimal("0.015")
    assert store.params_for("210302", date(2026, 5, 1)).quota_ratio == Decimal("0.017")
    assert store.params_for("330106", date(2026, 5, 1)).quota_ratio == Decimal("0.015"), "one province only"
    assert store.params_for(None, date(2026, 5, 1)).quota_ratio == Decimal("0.015"), "national untouched"
    found = store.resolve_field("21", "quota_ratio", date(2026, 5, 1))
    assert found.origin == ORIGIN_CHANGE and found.change is not None and found.change.id == 1
    assert store.resolve_field("21", "quota_ratio", date(2026, 4, 30)).origin == ORIGIN_NATIONAL


def test_a_change_wins_over_the_province_file_and_ends_on_its_last_day():
    window = {"start": "03-01", "end": "09-30"}
    store = ParamsStore().with_changes(
        [change(1, "declaration_window", window, date(2026, 5, 1), end=date(2026, 12, 31))]
    )
    assert store.params_for("210302", date(2026, 4, 30)).declaration_window.end == (10, 31)  # 21.json
    assert store.resolve_field("21", "declaration_window", date(2026, 4, 30)).origin == ORIGIN_FILE
    assert store.params_for("210302", date(2026, 12, 31)).declaration_window.end == (9, 30)
    assert store.params_for("210302", date(2027, 1, 1)).declaration_window.end == (10, 31)


def test_latest_start_wins_then_the_latest_entered():
    store = ParamsStore().with_changes([
        change(1, "upload_limit_mb", 20, date(2026, 6, 1)),
        change(2, "upload_limit_mb", 30, date(2026, 5, 1)),  # entered later, starts earlier
        change(3, "upload_limit_mb", 40, date(2026, 6, 1)),  # a correction of change 1
    ])
    assert store.params_for("210302", date(2026, 5, 15)).upload_limit_mb == 30
    assert store.params_for("210302", date(2026, 6, 1)).upload_limit_mb == 40


def test_minimum_wage_change_per_region_keeps_the_most_specific_region():
    store = ParamsStore().with_changes([
        change(1, "minimum_wage", "2300", date(2026, 6, 1), region="210300"),
        change(2, "minimum_wage", "1800", date(2026, 6, 1), region="210000"),
    ])
    assert store.minimum_wage("210302", 2026, 5) == 1900.0  # 鞍山 from the file until June
    assert store.minimum_wage("210302", 2026, 6) == 2300.0
    assert store.minimum_wage("210321", 2026, 6) == 1800.0  # 台安县 keeps its own file figure
    assert store.minimum_wage("210411", 2026, 6) == 1800.0  # a city without a figure: the province's
    assert store.resolve_minimum_wage("210302", date(2026, 6, 1)).region == "210300"


def test_minimum_wage_for_a_province_without_a_file():
    store = ParamsStore().with_changes(
        [change(1, "minimum_wage", "2500", date(2026, 1, 1), province="44", region="440300")]
    )
    assert store.minimum_wage("440305", 2026, 3) == 2500.0
    with pytest.raises(DomainError, match="未维护"):
        store.minimum_wage("440305", 2025, 12)


def test_social_average_wage_as_known_on_a_day():
    store = ParamsStore().with_changes(
        [change(1, "social_average_wage", "93000", date(2026, 5, 1), region="210300", year=2024)]
    )
    assert store.social_average_wage("210302", 2024, date(2026, 4, 30)) == 91000.0
    assert store.social_average_wage("210302", 2024, date(2026, 5, 1)) == 93000.0
    assert store.social_average_wage("210302", 2023, date(2026, 5, 1)) == 88000.0
    assert store.social_average_wage("210302", 2024) == 91000.0  # no day: as known at the end of 2025


def test_upcoming_lists_only_what_will_change():
    store = ParamsStore().with_changes([
        change(1, "quota_ratio", "0.017", date(2026, 7, 1)),
        change(2, "quota_ratio", "0.016", date(2026, 6, 1)),
        change(3, "quota_ratio", "0.016", date(2026, 6, 15)),  # the same value again: no change
    ])
    pending = store.upcoming("21", "quota_ratio", date(2026, 4, 15))
    assert [(day, found.value) for day, found in pending] == [
        (date(2026, 6, 1), Decimal("0.016")), (date(2026, 7, 1), Decimal("0.017"))
    ]
    levy = store.upcoming("21", "levy_rule", date(2026, 4, 15))
    assert [day for day, _ in levy] == [date(2028, 1, 1)]  # the national relief ends


def test_a_stored_value_that_fails_the_rules_names_its_change():
    with pytest.raises(DomainError, match="参数修改记录7（安置比例）无效：须小于1"):
        ParamsStore().with_changes([change(7, "quota_ratio", "1.5", date(2026, 5, 1))])


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("quota_ratio", "abc", "取值格式不正确"),
        ("quota_ratio", "2", "须小于1"),
        ("quota_ratio", "0.012", "不得低于1.5%"),
        ("upload_limit_mb", 101, "不能超过100"),
        ("upload_limit_mb", True, "须为正整数"),
        ("declaration_window", {"start": "03-01", "end": "02-30"}, "取值格式不正确"),
        ("declaration_window", {"start": "05-01", "end": "03-01"}, "申报期结束早于开始"),
        ("declaration_window", {"start": "03-01", "end": "12-31", "concentrated_start": "02-01",
                                "concentrated_end": "04-01"}, "集中申报期须在申报期之内"),
        ("time_limits", {"window_acceptance": 3}, "取值格式不正确"),
        ("time_limits", {"window_acceptance": 3, "manual_review": 1000, "feedback": 7, "send_to_tax": 20,
                         "certificate_download_after": 3}, "时限须为0至250之间的整数"),
        ("withdrawal_needs_supervisor", "yes", "须为true或false"),
        ("minimum_wage", "-1", "须为正数"),
        ("no_such_parameter", 1, "未知的参数"),
    ],
)
def test_check_value_answers_in_chinese(key, raw, message):
    with pytest.raises(DomainError, match=message):
        check_value(key, raw)


class FakeSource:
    """A ChangeSource whose generation the test moves by hand."""

    def __init__(self) -> None:
        self.items: list[ParamChange] = []
        self.reads = 0

    def generation(self) -> int:
        return len(self.items)

    def changes(self) -> list[ParamChange]:
        self.reads += 1
        return list(self.items)


def test_module_functions_follow_the_declared_source(restore_hook):
    source = FakeSource()
    params.use_changes(source)
    on = date(2026, 12, 31)
    assert params.params_for("330106", on).reward_base == Decimal("6600")
    first = params.current_store()
    assert params.current_store() is first and source.reads == 1, "rebuilt only when the generation moves"

    source.items.append(change(1, "reward_base", "8000", date(2026, 6, 1), province="33"))
    source.items.append(change(2, "minimum_wage", "2600", date(2026, 6, 1), province="33", region="330100"))
    # every caller of the module functions sees it at once, without a restart
    assert params.params_for("330106", on).reward_base == Decimal("8000")
    assert reward_for("330106", 2026, 30, 2).reward == Decimal("12000.00")  # (2 − 1) × 1.5 × 8000
    assert reward_for("330106", 2025, 30, 2).reward == Decimal("9900.00"), "2025 keeps its figures"
    assert params.minimum_wage("330106", 2026, 6) == 2600.0
    assert params.minimum_wage("330106", 2026, 5) == 2490.0
    assert source.reads == 2

    params.stop_using_changes(FakeSource())  # not the declared one: nothing happens
    assert params.params_for("330106", on).reward_base == Decimal("8000")
    params.stop_using_changes(source)
    assert params.params_for("330106", on).reward_base == Decimal("6600")
    assert params.current_store() is params.default_store()


def test_declaration_period_uses_the_window_in_force_on_the_day(restore_hook):
    source = FakeSource()
    source.items.append(change(1, "declaration_window", {"start": "03-01", "end": "09-30"}, date(2026, 5, 1)))
    params.use_changes(source)
    assert declaration_period("210302", 2025, date(2026, 4, 30)).end == date(2026, 10, 31)
    assert declaration_period("210302", 2025, date(2026, 5, 1)).end == date(2026, 9, 30)
