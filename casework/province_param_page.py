"""What the 参数设置 page shows a process owner: every parameter of the province with the
value in force today, where it comes from (全国默认 / 本省文件 / 本省修改 by whom and when),
the dated changes still to come, the wage tables by region with the 演示数据，待核实 mark,
and the full history of changes. Read-only: the acts are in ``casework.province_params``.

Everything is read through the same layered store the calculations use
(``domain.params.current_store``), so the page can never show a figure other than the one
a levy or a month check would take on that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from casework.models.province_param import KIND_CANCEL, KIND_CONFIRM, ProvinceParamEntry
from casework.province_param_form import EDITABLE, TIME_LIMIT_LABELS
from casework.province_params import cancelled_ids, confirmations, history, is_confirmed
from domain import params, regions
from domain.errors import DomainError
from domain.param_changes import ORIGIN_CHANGE, ORIGIN_FILE, ORIGIN_NATIONAL, Resolved
from domain.params_types import (
    FIELD_LABELS,
    NATIONAL_ONLY,
    TABLE_LABELS,
    DeclarationWindow,
    LevyRule,
    TimeLimits,
    check_value,
)
from engine.clock import china_time

ORIGIN_NAMES = {ORIGIN_NATIONAL: "全国默认", ORIGIN_FILE: "本省文件", ORIGIN_CHANGE: "本省修改"}
TRACK_NAMES = {"cadre": "按女干部（原55周岁）", "worker": "按女工人（原50周岁）"}
DEMO_BADGE = "演示数据，待核实"

FIELD_HELP: dict[str, str] = {
    "quota_ratio": "用人单位安排残疾人就业的比例，不得低于在职职工总数的1.5%（《残疾人就业条例》第八条），"
    "具体比例由省级人民政府规定。残保金、应安排人数和超比例奖励按业务年度12月31日适用的比例计算。",
    "declaration_window": "每年受理上一业务年度按比例就业情况申报的起止日期（月-日），可另设集中申报期。"
    "单位首页的申报期提示和“完成申报”的期限检查按当天适用的申报期。",
    "upload_limit_mb": "单位上传合同、缴费证明等材料时单个文件的大小上限（MB），最大100。",
    "reward_base": "超比例奖励：奖励金额 =（实际安排人数 − 应安排人数）× 安置系数 × 奖励基数（元）。"
    "按业务年度12月31日适用的数值计算。",
    "reward_coefficient": "超比例奖励计算中的安置系数。",
    "graduate_subsidy": "安置残疾大学生补贴：每安置1名残疾高校毕业生每年的补贴金额（元），补贴金额 = 补贴标准 × 当年就业月数 ÷ 12。"
    "按申请当天适用的数值计算，提交时固定在申请上。默认值为演示数据，各省按本地规定设置。",
    "time_limits": "各办理环节的时限，按工作日计（不含法定节假日，含调休上班日）。"
    "新的时限适用于生效日期以后开始计时的任务；到期未办的任务按流程升级。",
    "withdrawal_needs_supervisor": "选“是”时，年审申报撤回经业务人员同意后还须业务主管审批；"
    "按撤回申请审批当天适用的规定办理。",
    "female_retirement_track": "人员信息校验判断女职工是否在劳动年龄内所用的退休年龄口径，"
    "并按国家渐进式延迟法定退休年龄的规定调整。",
    "levy_rule": "残保金分档减缴和小微企业暂免征收政策，由国家统一规定，不能按省修改。",
    "wage_cap_multiple": "在职职工年平均工资超过当地社会平均工资一定倍数的按该倍数计算，由国家统一规定，不能按省修改。",
    "minimum_wage": "按地区、按时段的月最低工资标准（元/月）。人员信息校验中工资低于当月1日适用标准的月份不通过；"
    "未单列的县（市、区）按所属市，再按全省的标准。",
    "social_average_wage": "各地区各年度的社会平均工资（元/年），用于残保金计算中在职职工年平均工资的封顶；"
    "残保金计算器按当天已生效的数字预填。",
}


def _number(value: Decimal | int) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _month_day(month_day: tuple[int, int]) -> str:
    return f"{month_day[0]}月{month_day[1]}日"


def _window(window: DeclarationWindow) -> str:
    text = f"每年{_month_day(window.start)}至{_month_day(window.end)}"
    if window.concentrated_start and window.concentrated_end:
        text += f"（集中申报期{_month_day(window.concentrated_start)}至{_month_day(window.concentrated_end)}）"
    return text


def _levy_rule(rule: LevyRule) -> str:
    parts = []
    if rule.small_unit_max_staff is not None:
        parts.append(f"在职职工{rule.small_unit_max_staff}人（含）以下的企业暂免征收")
    for tier in rule.tiers:
        parts.append(f"安排比例{_number(tier.min_actual_ratio * 100)}%（含）以上未达规定比例的按{_number(tier.rate * 100)}%缴纳")
    if rule.tiers:
        parts.append(f"其余按{_number(rule.base_rate * 100)}%缴纳")
    elif rule.base_rate == 1:
        parts.append("按差额全额征收")
    else:
        parts.append(f"按{_number(rule.base_rate * 100)}%缴纳")
    return "；".join(parts)


def describe(key: str, value: Any) -> str:
    """A converted value in words, as an office would write it."""
    if key == "quota_ratio":
        return f"{_number(value * 100)}%"
    if key == "upload_limit_mb":
        return f"{value} MB"
    if key == "declaration_window":
        return _window(value)
    if key == "levy_rule":
        return _levy_rule(value)
    if key == "wage_cap_multiple":
        return f"社会平均工资的{_number(value)}倍"
    if key in ("reward_base", "graduate_subsidy"):
        return f"{_number(value)} 元"
    if key == "time_limits":
        return "；".join(f"{TIME_LIMIT_LABELS[name]}{getattr(value, name)}个工作日" for name in TIME_LIMIT_LABELS)
    if key == "female_retirement_track":
        return TRACK_NAMES.get(value, str(value))
    if key == "withdrawal_needs_supervisor":
        return "是" if value else "否"
    if key == "minimum_wage":
        return f"{_number(value)} 元/月"
    if key == "social_average_wage":
        return f"{_number(value)} 元/年"
    return _number(value) if isinstance(value, Decimal | int) else str(value)


def describe_raw(key: str, raw: Any) -> str:
    """A stored value in words; one that no longer passes the rules is shown as it is."""
    try:
        return describe(key, check_value(key, raw))
    except DomainError:
        return str(raw)


def form_values(key: str, value: Any) -> dict[str, str]:
    """The inputs of the change form, prefilled with the value in force."""
    if value is None:
        return {}
    if key == "quota_ratio":
        return {"value": _number(value * 100)}
    if key == "declaration_window":
        found = {"start": value.start, "end": value.end,
                 "concentrated_start": value.concentrated_start, "concentrated_end": value.concentrated_end}
        return {k: f"{v[0]:02d}-{v[1]:02d}" for k, v in found.items() if v}
    if key == "time_limits":
        return {name: str(getattr(value, name)) for name in TimeLimits.__dataclass_fields__}
    if key == "withdrawal_needs_supervisor":
        return {"value": "1" if value else "0"}
    return {"value": _number(value) if isinstance(value, Decimal | int) else str(value)}


@dataclass(frozen=True)
class Source:
    """Where a value comes from, in words."""

    name: str  # 全国默认 / 本省文件 / 本省修改
    detail: str  # for a change: by whom and when; for a file: its note
    start: date | None
    end: date | None


def source_of(resolved: Resolved) -> Source:
    change = resolved.change
    if change is not None:
        when = china_time(change.created_at)
        detail = f"{change.created_by} 于 {when:%Y-%m-%d %H:%M} 修改" if when else change.created_by
        if change.note:
            detail += f"（{change.note}）"
        return Source(ORIGIN_NAMES[ORIGIN_CHANGE], detail, resolved.start, resolved.end)
    return Source(ORIGIN_NAMES[resolved.origin], resolved.note, resolved.start, resolved.end)


@dataclass(frozen=True)
class Upcoming:
    day: date
    text: str
    source: Source | None


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    help: str
    kind: str  # the form's input kind (province_params.EDITABLE); "" when national
    text: str  # the value in force today, in words ("" with `missing`)
    source: Source | None
    upcoming: list[Upcoming]
    inputs: dict[str, str]  # the change form's prefilled inputs


@dataclass(frozen=True)
class WageRow:
    year: int | None  # social average wage: the year the figure is for
    text: str  # "" when no figure applies today
    source: Source | None
    upcoming: list[Upcoming]
    demo: bool  # today's figure comes from a shipped demo file not yet confirmed


@dataclass(frozen=True)
class WageGroup:
    """One region of a wage table: its figure (or one per year) and whether the shipped
    demo figures of the region still wait for the office's check."""

    table: str
    region: str
    region_name: str
    rows: list[WageRow]
    confirmable: bool


@dataclass(frozen=True)
class HistoryRow:
    id: int
    when: datetime | None
    who: str
    act: str
    label: str
    where: str
    period: str
    text: str
    note: str
    status: str
    cancellable: bool
    field: str = ""
    region: str = ""
    year: int | None = None


@dataclass
class Overview:
    province: str
    province_name: str
    today: date  # the engine clock's China date: the history's statuses are of today
    on: date | None = None  # the day the values and upcoming changes are of (today)
    fields: list[FieldRow] = field(default_factory=list)
    minimum_wages: list[WageGroup] = field(default_factory=list)
    social_wages: list[WageGroup] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    demo_notice: str = ""
    region_choices: list[tuple[str, str]] = field(default_factory=list)


def _upcoming(key: str, pending: list[tuple[date, Resolved | None]]) -> list[Upcoming]:
    return [
        Upcoming(day, describe(key, found.value) if found else "不再适用", source_of(found) if found else None)
        for day, found in pending
    ]


def _field_rows(prefix: str, today: date) -> list[FieldRow]:
    store = params.current_store()
    rows = []
    for key in [*[k for k in EDITABLE if k in FIELD_LABELS], *sorted(NATIONAL_ONLY)]:
        try:
            found: Resolved | None = store.resolve_field(prefix, key, today)
        except DomainError:
            found = None
        rows.append(FieldRow(
            key=key, label=FIELD_LABELS[key], help=FIELD_HELP.get(key, ""),
            kind="" if key in NATIONAL_ONLY else EDITABLE[key],
            text=describe(key, found.value) if found else "",
            source=source_of(found) if found else None,
            upcoming=_upcoming(key, store.upcoming(prefix, key, today)),
            inputs=form_values(key, found.value if found else None),
        ))
    return rows


def _wage_groups(prefix: str, table: str, today: date, confirmed: Mapping[tuple[str, str], Any]) -> list[WageGroup]:
    store = params.current_store()
    demo_file = bool(store.demo_notice(prefix))
    groups = []
    for region in store.table_regions(prefix, table):
        unconfirmed = (
            demo_file and store.shipped_figures(prefix, table, region) is not None
            and not is_confirmed(confirmed, table, region)
        )
        rows = []
        years: list[int | None] = [None] if table == "minimum_wage" else sorted(store.social_years(region), reverse=True)
        for year in years:
            if year is None:
                found = store.resolve_minimum_wage(region, today, exact=True)
                pending = store.upcoming(prefix, table, today, region=region)
            else:
                found = store.resolve_social_average_wage(region, year, today, exact=True)
                pending = store.upcoming(prefix, table, today, region=region, year=year)
            rows.append(WageRow(
                year=year,
                text=describe(table, found.value) if found else "",
                source=source_of(found) if found else None,
                upcoming=_upcoming(table, pending),
                demo=bool(found and found.demo and unconfirmed),
            ))
        groups.append(WageGroup(table, region, regions.label(region), rows, unconfirmed))
    return groups


def _period(entry: ProvinceParamEntry) -> str:
    if entry.valid_from is None:
        return "—"
    start = entry.valid_from.isoformat()
    return f"{start} 至 {entry.valid_to.isoformat()}" if entry.valid_to else f"{start} 起"


def history_row(entry: ProvinceParamEntry, today: date, cancelled: set[int]) -> HistoryRow:
    """One act of the history as the page (and the API) shows it."""
    label = FIELD_LABELS.get(entry.field) or TABLE_LABELS.get(entry.field, entry.field)
    where = regions.label(entry.region) if entry.region else ""
    if entry.year is not None:
        where += f" {entry.year}年"
    if entry.kind == KIND_CONFIRM:
        act, text, status, period = "核实演示数据", "已与公布的数字核对无误", "", "—"
    elif entry.kind == KIND_CANCEL:
        act, text, status = "撤销修改", f"撤销记录{entry.ref_id}", ""
        period = _period(entry)
    else:
        act, text, period = "修改", describe_raw(entry.field, entry.value), _period(entry)
        assert entry.valid_from is not None
        if entry.id in cancelled:
            status = "已撤销"
        elif entry.valid_from > today:
            status = "待生效"
        elif entry.valid_to is not None and entry.valid_to < today:
            status = "已结束"
        else:
            status = "已生效"
    return HistoryRow(
        id=entry.id, when=china_time(entry.created_at), who=entry.created_by, act=act, label=label,
        where=where.strip(), period=period, text=text, note=entry.note, status=status,
        cancellable=status == "待生效", field=entry.field, region=entry.region or "", year=entry.year,
    )


def _history_rows(session: Session, province: str, today: date) -> list[HistoryRow]:
    cancelled = cancelled_ids(session, province)
    return [history_row(entry, today, cancelled) for entry in history(session, province)]


def saved_message(entry: ProvinceParamEntry) -> str:
    """What the owner is told once a change is stored (the page's notice, the API's message)."""
    label = FIELD_LABELS.get(entry.field) or TABLE_LABELS.get(entry.field, entry.field)
    where = f"（{regions.label(entry.region)}{f' {entry.year}年' if entry.year else ''}）" if entry.region else ""
    assert entry.valid_from is not None
    return (f"已保存：{label}{where}自{entry.valid_from.isoformat()}起为"
            f"{describe_raw(entry.field, entry.value)}。此前各日仍按原值计算。")


def _region_choices(province: str) -> list[tuple[str, str]]:
    """The province, its cities and their counties (current codes), for the wage forms."""
    choices = [(province, regions.label(province))]
    for city in regions.children(province):
        choices.append((city.code, regions.label(city.code)))
        choices += [(county.code, regions.label(county.code)) for county in regions.children(city.code)]
    return choices


def overview(session: Session, province: str, today: date, on: date | None = None) -> Overview:
    """The whole page for the owner's province on the engine clock's `today`: the values
    in force `on` a day (today when not given) with the changes after it, and the history
    as it stands today."""
    prefix = province[:2]
    day = on or today
    confirmed = confirmations(session, province)
    store = params.current_store()
    return Overview(
        province=province,
        province_name=regions.label(province) or province,
        today=today,
        on=day,
        fields=_field_rows(prefix, day),
        minimum_wages=_wage_groups(prefix, "minimum_wage", day, confirmed),
        social_wages=_wage_groups(prefix, "social_average_wage", day, confirmed),
        history=_history_rows(session, province, today),
        demo_notice=store.demo_notice(prefix),
        region_choices=_region_choices(province),
    )
