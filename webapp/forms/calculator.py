"""残保金计算器 (001 §5): a GET form, so it needs no CSRF token and can be bookmarked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from webapp.forms.fields import Marked


def _number(label: str, required: bool = False, **render) -> StringField:
    return StringField(
        label, [Marked()] if required else [], render_kw={"inputmode": "decimal", **render}
    )


class LevyForm(FlaskForm):
    class Meta:
        csrf = False

    unit_name = StringField(
        "单位名称", [Marked()], render_kw={"placeholder": "请输入单位名称", "maxlength": 200}
    )
    year = _number("业务年度", True, inputmode="numeric", maxlength=4)
    ratio_percent = _number("残疾人安置比例", placeholder="默认按本省规定比例")
    staff_count = _number(
        "单位员工人数", True, inputmode="numeric", placeholder="在职职工年平均人数"
    )
    avg_monthly_wage = _number("单位月平均工资", True, placeholder="在职职工月平均工资")
    social_avg_annual_wage = _number("当地社会平均工资（年）", placeholder="用于2倍封顶，可不填")
    disabled_monthly_wage = _number("残疾员工月薪", placeholder="用于计算预计可节约")
    is_enterprise = SelectField(
        "是否企业",
        choices=[SelectChoice("1", "是"), SelectChoice("0", "否")],
        default="1",
        validate_choice=False,
    )
    severe_months = _number("1–2级伤残", inputmode="numeric", min="0", maxlength=7)
    other_months = _number("3–4级伤残（含军残5–8级）", inputmode="numeric", min="0", maxlength=7)

    def submitted(self) -> bool:
        return bool(self.staff_count.raw_data or self.avg_monthly_wage.raw_data)
