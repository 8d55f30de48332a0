"""WTForms classes of the pages. They render, carry values and CSRF; the rules live in the
declarations of casework.schemas (one place for pages and API), which the services apply
and whose Chinese messages the views attach to the fields."""

from webapp.forms.auth import EmployerLoginForm, StaffLoginForm
from webapp.forms.calculator import LevyForm
from webapp.forms.fields import Marked, RegionField, attach_errors
from webapp.forms.notices import NoticeSearchForm
from webapp.forms.units import RelatedUnitForm, UnitForm

__all__ = [
    "EmployerLoginForm",
    "LevyForm",
    "Marked",
    "NoticeSearchForm",
    "RegionField",
    "RelatedUnitForm",
    "StaffLoginForm",
    "UnitForm",
    "attach_errors",
]
