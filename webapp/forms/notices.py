"""通知中心 keyword search (001 §6)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class NoticeSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("关键字", render_kw={"placeholder": "请输入查询条件", "maxlength": 50})
