"""参数设置 in the API, for a province's process owner (流程管理员): the parameters in force
on a day, with their sources, the dated changes still to come, the wage tables and the
history (`GET /params`, the page's overview), and a dated change (`POST /params`, 201).
The same commands, scope and audit as the page (webapp.province_params): the body is
`ProvinceParamChange`, the page's own declaration, checked for the owner's province and
today; only the owner's own province is reached."""

from __future__ import annotations

from datetime import date

from flask import jsonify

from casework import province_param_page, province_params
from casework.process_versions import OWNER_ROLE
from casework.province_param_page import HistoryRow, Overview, Source, Upcoming, WageGroup
from casework.schemas.province_param_answers import ParamChangeSaved, ProvinceParams
from casework.schemas.province_params import ParamsQuery, ProvinceParamChange
from casework.scope import Forbidden
from domain import regions
from domain.errors import DomainError
from webapp.api import ApiError, api_user, bp, login_required, spec
from webapp.extensions import client_ip, db, system

TAGS = ("参数设置",)
owner_only = login_required(OWNER_ROLE)
OTHER_PROVINCE = "只能查看和修改本省（区、市）的参数"


def _province() -> str:
    try:
        return province_params.province_of(api_user())
    except Forbidden as exc:  # a process owner without a province
        raise ApiError(403, exc.message) from None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _source(source: Source | None) -> dict | None:
    if source is None:
        return None
    return {"name": source.name, "detail": source.detail, "start": _day(source.start), "end": _day(source.end)}


def _upcoming(items: list[Upcoming]) -> list[dict]:
    return [{"day": item.day.isoformat(), "text": item.text, "source": _source(item.source)} for item in items]


def _wages(groups: list[WageGroup], region: str) -> list[dict]:
    """The groups of a table; for a city or county, those on its path (itself, its
    ancestors, its descendants): the figures that may apply there."""
    return [
        {"table": g.table, "region": g.region, "region_name": g.region_name, "confirmable": g.confirmable,
         "rows": [{"year": r.year, "text": r.text, "source": _source(r.source), "upcoming": _upcoming(r.upcoming),
                   "demo": r.demo} for r in g.rows]}
        for g in groups
        if regions.is_within(region, g.region) or regions.is_within(g.region, region)
    ]  # fmt: skip


def history_json(row: HistoryRow) -> dict:
    return {
        "id": row.id, "at": row.when.isoformat() if row.when else None, "who": row.who, "act": row.act,
        "field": row.field, "label": row.label, "region": row.region, "year": row.year, "where": row.where,
        "period": row.period, "text": row.text, "note": row.note, "status": row.status,
        "cancellable": row.cancellable,
    }  # fmt: skip


def _overview_json(page: Overview, region: str) -> dict:
    return {
        "province": page.province, "province_name": page.province_name, "region": region,
        "date": (page.on or page.today).isoformat(), "today": page.today.isoformat(),
        "demo_notice": page.demo_notice,
        "fields": [
            {"key": f.key, "label": f.label, "help": f.help, "editable": bool(f.kind), "kind": f.kind,
             "text": f.text, "source": _source(f.source), "upcoming": _upcoming(f.upcoming), "inputs": f.inputs}
            for f in page.fields
        ],
        "minimum_wages": _wages(page.minimum_wages, region),
        "social_wages": _wages(page.social_wages, region),
        "history": [history_json(h) for h in page.history],
    }  # fmt: skip


@bp.get("/params")
@owner_only
@spec.declare(tags=TAGS, query=ParamsQuery, answer=ProvinceParams, errors=(400, 401, 403, 429))
def province_params_state():
    """本省的省级参数（某日适用的值、来源、已排定的变更和修改记录）

    与“参数设置”页面相同：每项参数在所问日期（date，省略为今天）适用的值及其来源（全国默认、本省文件、本省修改），此后已排定的变更，最低工资标准和社会平均工资（按地区；region为本省的市、县时只列该地区及其上下级；随系统发布的演示数据标注待核实），以及全部修改记录。仅流程管理员，且只能查看本省（区、市）：region为外省时为403。"""
    args: ParamsQuery = spec.query()
    province = _province()
    region = args.region or province
    if region[:2] != province[:2]:
        raise ApiError(403, OTHER_PROVINCE)
    page = province_param_page.overview(db(), province, system().today(), on=args.date)
    return jsonify(_overview_json(page, region))


@bp.post("/params")
@owner_only
@spec.declare(tags=TAGS, json=ProvinceParamChange, ok=201, answer=ParamChangeSaved,
              answer_description="已保存，自生效日期起适用", errors=(400, 401, 403, 429))  # fmt: skip
def add_province_param_change():
    """新增一项省级参数修改（自某日起）

    与“参数设置”页面的“新增修改”相同：field为要修改的参数，其余按参数填写（见请求体说明，不用的输入不读）；valid_from为生效日期，不能早于今天（北京时间），此前各日仍按原值计算；valid_to可不填；note为依据说明。地区须为本省现行的行政区划。输入有误（含与该日起适用的值相同）时为400，fields逐字段给出中文提示，不保存任何内容。保存后记入修改记录和审计日志。仅流程管理员，修改本省（区、市）的参数。"""
    data: ProvinceParamChange = spec.body()
    _province()
    clock = system().runtime.clock
    try:
        entry = province_params.add_change(
            db(), api_user(), data, today=system().today(), now=clock.now(), ip=client_ip()
        )
    except DomainError:
        db().rollback()
        raise
    db().commit()
    row = province_param_page.history_row(entry, system().today(), set())
    return jsonify({"message": province_param_page.saved_message(entry), "change": history_json(row)}), 201

