"""参数设置 in the process owner's API (`/api/v1/params`): what is answered — the page's
overview (``casework.province_param_page.Overview``: each parameter with the value in
force on the day asked, its source and the changes still to come, the wage tables by
region with the 演示数据，待核实 mark, the history of changes) and, for a saved change, its
history entry. The body sent is `ProvinceParamChange` (casework.schemas.province_params),
the page's own."""

from __future__ import annotations

from pydantic import Field

from casework.schemas.answers import Answer


class ParamSource(Answer):
    name: str = Field(description="全国默认、本省文件或本省修改")
    detail: str = Field(description="本省修改：修改人、时间和依据说明；本省文件：文件的说明")
    start: str | None = Field(description="自该日起适用（YYYY-MM-DD），不限时为空")
    end: str | None = Field(description="适用至该日（YYYY-MM-DD），长期有效为空")


class ParamUpcoming(Answer):
    day: str = Field(description="自该日起（YYYY-MM-DD）")
    text: str = Field(description="该日起适用的值（文字），“不再适用”表示此后没有值")
    source: ParamSource | None


class ParamField(Answer):
    key: str = Field(description="参数（POST /api/v1/params的field）")
    label: str
    help: str = Field(description="说明")
    editable: bool = Field(description="false：由国家统一规定，不能按省修改")
    kind: str = Field(description="修改时的输入类型（percent、window、integer、money、decimal、time_limits、"
                      "yes_no、choice）；不能修改的为空")  # fmt: skip
    text: str = Field(description="所问日期适用的值（文字）；未维护时为空")
    source: ParamSource | None
    upcoming: list[ParamUpcoming] = Field(description="所问日期之后已排定的变更")
    inputs: dict[str, str] = Field(description="修改时按所问日期的值预填的输入（POST /api/v1/params的同名字段）")


class WageFigure(Answer):
    year: int | None = Field(description="社会平均工资：数字所属的年度；最低工资标准为空")
    text: str = Field(description="所问日期适用的数字（文字）；没有时为空")
    source: ParamSource | None
    upcoming: list[ParamUpcoming]
    demo: bool = Field(description="true：随系统发布的演示数据，待核实")


class WageRegion(Answer):
    table: str = Field(description="minimum_wage或social_average_wage")
    region: str
    region_name: str
    confirmable: bool = Field(description="true：该地区随系统发布的演示数据尚待核实")
    rows: list[WageFigure]


class ParamHistoryEntry(Answer):
    id: int = Field(description="记录编号")
    at: str | None = Field(description="操作时间（北京时间，ISO 8601）")
    who: str = Field(description="操作人")
    act: str = Field(description="修改、撤销修改或核实演示数据")
    field: str = Field(description="参数")
    label: str
    region: str = Field(description="地区（工资表），其余为空")
    year: int | None = Field(description="年度（社会平均工资），其余为空")
    where: str = Field(description="地区和年度（文字）")
    period: str = Field(description="适用期间（文字）")
    text: str = Field(description="内容（文字）")
    note: str = Field(description="依据说明")
    status: str = Field(description="修改的状态：待生效、已生效、已结束或已撤销；其余为空")
    cancellable: bool = Field(description="true：尚未生效，可以撤销")


class ProvinceParams(Answer):
    """本省的省级参数"""

    province: str = Field(description="省级行政区划代码")
    province_name: str
    region: str = Field(description="所问地区（工资表只列该地区及其上下级）")
    date: str = Field(description="所问日期（YYYY-MM-DD）")
    today: str = Field(description="今天（北京时间，YYYY-MM-DD）；修改不能早于今天生效")
    demo_notice: str = Field(description="随系统发布的本省数据为演示数据时的说明；否则为空")
    fields: list[ParamField]
    minimum_wages: list[WageRegion] = Field(description="最低工资标准，按地区")
    social_wages: list[WageRegion] = Field(description="社会平均工资，按地区和年度")
    history: list[ParamHistoryEntry] = Field(description="修改记录，最新的在前")


class ParamChangeSaved(Answer):
    """已保存的修改"""

    message: str = Field(description="中文说明（与页面的提示相同）")
    change: ParamHistoryEntry
