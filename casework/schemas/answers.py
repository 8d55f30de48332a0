"""What the API answers: declared for the OpenAPI document (keys are what the views'
`*_dict`/`*_json` functions return; extra keys are allowed so that adding one is not a
breaking change)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casework import units as u


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Region(Answer):
    code: str
    name: str
    level: Literal["province", "city", "county"]
    has_children: bool


class RegionList(Answer):
    """下级行政区划（不含已撤销的）"""

    parent: str | None
    regions: list[Region]




class Unit(Answer):
    id: int
    credit_code: str = Field(description=u.LABELS["credit_code"])
    name: str | None = Field(default=None, description=u.LABELS["name"])
    tax_number: str | None = Field(default=None, description=u.LABELS["tax_number"])
    nature: str | None = Field(default=None, description=u.LABELS["nature"])
    economic_type: str | None = Field(default=None, description=u.LABELS["economic_type"])
    industry: str | None = Field(default=None, description=u.LABELS["industry"])
    cdpf_region: str | None = Field(default=None, description=u.LABELS["cdpf_region"])
    tax_region: str | None = Field(default=None, description=u.LABELS["tax_region"])
    admin_region: str | None = Field(default=None, description=u.LABELS["admin_region"])
    legal_name: str | None = Field(default=None, description=u.LABELS["legal_name"])
    legal_id_number: str | None = Field(default=None, description=u.LABELS["legal_id_number"])
    legal_phone: str | None = Field(default=None, description=u.LABELS["legal_phone"])
    org_code: str | None = Field(default=None, description=u.LABELS["org_code"])
    phone: str | None = Field(default=None, description=u.LABELS["phone"])
    staff_last_year: int | None = Field(default=None, description=u.LABELS["staff_last_year"])
    contact_name: str | None = Field(default=None, description=u.LABELS["contact_name"])
    contact_phone: str | None = Field(default=None, description=u.LABELS["contact_phone"])
    business_address: str | None = Field(default=None, description=u.LABELS["business_address"])
    registered_address: str | None = Field(default=None, description=u.LABELS["registered_address"])
    cdpf_region_name: str
    tax_region_name: str
    admin_region_name: str


class RelatedUnit(Answer):
    id: int
    region_code: str
    region_name: str
    credit_code: str
    tax_number: str | None
    org_code: str | None
    name: str
    phone: str | None
    address: str | None
    relation: str
    attachment_ids: list[int]


class RelatedUnitList(Answer):
    items: list[RelatedUnit]


class StaffUnit(Unit):
    related_units: list[RelatedUnit]


class Attachment(Answer):
    id: int
    original_name: str
    mime: Literal["image/jpeg", "image/png", "application/pdf"]
    size: int
    sha256: str | None = None
    kind: str | None = None
    url: str | None = None


class Notice(Answer):
    id: int
    title: str
    body: str | None = None
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    public: bool = Field(description="公开通知（否则为发给本单位的通知）")
    region_code: str | None = None


class NoticePage(Answer):
    """一页通知（不含正文）"""

    items: list[Notice]
    total: int
    page: int
    pages: int
    per_page: int


class DeclarationPeriod(Answer):
    """申报期：本业务年度在单位所在省份的申报期（业务年度的次年），按引擎时钟的北京时间日期计算"""

    province_code: str = Field(description="省级行政区划代码（空为全国默认）")
    province_name: str
    business_year: int
    start: str = Field(description="申报期第一天", json_schema_extra={"format": "date"})
    end: str = Field(description="申报期最后一天", json_schema_extra={"format": "date"})
    concentrated_start: str | None = Field(description="集中申报期第一天（无则为空）", json_schema_extra={"format": "date"})
    concentrated_end: str | None = Field(description="集中申报期最后一天（无则为空）", json_schema_extra={"format": "date"})
    today: str = Field(description="计算所用的日期", json_schema_extra={"format": "date"})
    state: Literal["upcoming", "open", "closed"] = Field(description="upcoming尚未开始，open申报期内，closed已结束")
    days_left: int | None = Field(description="距申报截止的天数（申报期内；最后一天为0）")
    days_to_start: int | None = Field(description="距申报期开始的天数（尚未开始时）")
    in_concentrated: bool = Field(description="当前处于集中申报期")
    status_text: str = Field(description="如“距申报截止还有N天”")
    help: str


class Case(Answer):
    id: int
    year: int
    stage: str
    stage_name: str
    locked: bool
    can_declare: bool
    declaration_period: DeclarationPeriod
    tax: dict[str, Any] | None = Field(
        default=None, description="最近一次发送税务部门的记录：version、receipt_no、sent_at、status（sent已发送至税务部门/confirmed税务已确认/inconsistent税务反馈不一致/superseded已被更正）、status_name、reason"
    )


class CaseRequestItem(Answer):
    id: int
    kind: str = Field(description="withdraw年审申报撤回，feedback年审认证反馈")
    kind_name: str
    reason: str
    attachment_ids: list[int]
    status: str = Field(description="pending审核中，approved已同意，refused未同意")
    status_name: str
    filed_at: str
    decided_at: str | None
    decision_reason: str


class CaseRequests(Answer):
    available: list[str] = Field(description="现在可以提出的申请（由流程图决定）：withdraw、feedback")
    items: list[CaseRequestItem]


class TaxCheckAccepted(Answer):
    accepted: bool = Field(description="true已交流程处理；false该版本已处理过或已被更正（重复送达不重复处理）")


class TaxSubmissionRow(Answer):
    id: int
    unit: dict[str, str] = Field(description="name单位名称，credit_code统一社会信用代码")
    year: int
    version: int = Field(description="1为首次报送，2起为更正")
    receipt_no: str
    sent_at: str
    status: str = Field(description="sent已发送至税务部门，confirmed税务已确认，inconsistent税务反馈不一致，superseded已被更正（核对前已报送更正数据）")
    status_name: str
    checked_at: str | None
    reason: str


class TaxSubmissionPage(Answer):
    total: int
    page: int
    per_page: int
    items: list[TaxSubmissionRow]


class PlacementRow(Answer):
    id: int
    name: str
    id_number: str = Field(description="身份证号（列表中脱敏）")
    status: str


class PlacementPage(Answer):
    total: int
    page: int
    per_page: int
    items: list[PlacementRow]


class PreviousPeople(Answer):
    year: int
    items: list[PlacementRow]


class Imported(Answer):
    imported: list[PlacementRow]


class Placement(PlacementRow):
    step: str = Field(description="当前步骤的表单键（placement_register / placement_months / placement_review / placement_result …），或verifying、verify_failed、done")
    step_name: str
    contracts: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    months: list[dict[str, Any]]


class Created(Answer):
    id: int
    placement: Placement


class Deleted(Answer):
    deleted: int


class ClaimedMonths(Answer):
    claimed_months: list[int]
    placement: Placement


class Task(Answer):
    task_id: str
    task: str = Field(description="流程图中的任务编号（仅供参考，办理以form为准）")
    form: str = Field(description="表单键：决定任务的页面和办理接口")
    form_title: str
    title: str = Field(description="流程图中的任务名称")
    overdue: bool
    due_state: str = Field(description="ok未到期，soon2个工作日内到期，overdue已逾期，none无期限")
    assignee: str | None = Field(description="办理人（已认领或被改派时）")


class Tab(Answer):
    form: str
    title: str
    count: int


class TaskPage(Answer):
    total: int
    page: int
    per_page: int
    items: list[Task]
    tabs: list[Tab]


class StepField(Answer):
    key: str
    kind: str = Field(description="textfield单行文本、textarea多行文本、number数字、datetime日期、select/radio单选、checkbox是/否、filepicker附件")
    label: str
    required: bool
    options: list[dict[str, str]] = Field(default=[], description="单选的可选项：value、label")


class CaseStep(Answer):
    task_id: str
    title: str
    due_at: str | None
    notes: list[str] = Field(description="表单中的说明文字")
    fields: list[StepField]
    problem: str | None = Field(default=None, description="表单设计有误时的说明（此时不能提交）")


class CaseSteps(Answer):
    """本单位待填写的事项（流程管理员设计的自定义表单）及已提交的填报记录"""

    items: list[CaseStep]
    history: list[dict[str, Any]] = Field(description="已填写：step、reason（各项取值）、detail、actor、at")


class Done(Answer):
    done: bool


class Uploaded(Answer):
    id: int
    size: int
    mime: str
    original_name: str


class CertificateLink(Answer):
    number: str = Field(description="更正后认定书的编号")
    token: str = Field(description="更正后认定书的核验码（/verify/核验码）")


class RewardCheck(Answer):
    """奖励审核认定书上的超比例奖励信息（公开；不含收款账户）；数值均为出具时的文本"""

    staff_count: str = Field(description="上年度在职职工总数")
    placed_persons: str = Field(description="上年度安置残疾人数")
    quota_persons: str = Field(description="安置比例残疾人数（按比例应安排的人数）")
    over_persons: str = Field(description="超比例安置残疾人数")
    coefficient: str = Field(description="安置系数")
    amount: str = Field(description="超比例奖励金额（元，两位小数）")
    channel: str = Field(description="申请方式：单位网上申请或窗口代为申请")


class CertificateCheck(Answer):
    """审核认定书核验结果（公开；不含残疾人姓名和身份证号）"""

    number: str = Field(description="认定书编号")
    version: int = Field(description="版本：1为首次出具，2起为更正版")
    kind: Literal["annual", "reward"] = Field(
        description="annual：按比例安排残疾人就业审核认定书；reward：超比例奖励审核认定书"
    )
    title: str = Field(description="认定书名称")
    year: int = Field(description="业务年度")
    unit_name: str = Field(description="用人单位名称")
    credit_code: str = Field(description="统一社会信用代码")
    issuer: str = Field(description="审核机构（残联）")
    issued_at: str = Field(description="出具时间（北京时间，ISO 8601）")
    people: int = Field(description="安置残疾人数")
    approved_months: int = Field(description="累计安置核定月数")
    actual_persons: str = Field(description="实际安排残疾人就业人数（核定月数/12，两位小数）")
    replaces: str | None = Field(description="更正版所取代的认定书编号")
    status: Literal["valid", "withdrawn", "superseded"] = Field(description="valid有效；withdrawn已撤回；superseded已被更正")
    status_name: str = Field(description="状态（中文）")
    status_reason: str = Field(description="撤回或更正的原因")
    status_changed_at: str | None = Field(description="状态变更时间（北京时间，ISO 8601）")
    superseded_by: CertificateLink | None = Field(description="已被更正时，取代它的认定书")
    reward: RewardCheck | None = Field(
        description="超比例奖励审核认定书（kind为reward）的奖励信息；按比例审核认定书为null。"
        "奖励审核认定书的people、approved_months为0，actual_persons为上年度安置残疾人数"
    )
