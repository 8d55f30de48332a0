"""安置残疾大学生申请: what the unit states about the graduate it placed — the person (one of
the year's placed persons), the school, the major, 学历 and 学位, the graduation date, the
diploma number, the months employed that year and the diploma / degree documents. The
graduation date's limits (not in the future, within the last 5 years) and the documents
are checked by `casework.graduate_subsidy`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.models.graduate_subsidy import DEGREES, EDUCATIONS, MAX_YEARS_SINCE_GRADUATION
from casework.schemas.base import Request
from casework.schemas.messages import Label
from casework.schemas.types import date_text, db_id, id_list, text


class GraduateSubsidyInput(Request):
    """提交 (or, when returned, 重新提交) a 安置残疾大学生 application."""

    placement_id: db_id("安置人员")
    school: text("毕业院校", max_len=100)
    major: text("专业", max_len=100)
    education: text("学历", enum=EDUCATIONS)
    degree: text("学位", enum=DEGREES)
    graduated_on: Annotated[date_text("毕业时间"), Field(
        description=f"毕业时间（YYYY-MM-DD），不能晚于今天，且须在{MAX_YEARS_SINCE_GRADUATION}年以内")]
    diploma_no: text("学历证书编号", max_len=40)
    months: Annotated[int | None, Label("当年就业月数"),
                      Field(default=None, ge=1, le=12, title="当年就业月数",
                            description="1至12；省略时取该人员本年度安置确认的月数")] = None
    attachment_ids: id_list("学历学位证书", max_items=20) = []
