"""SQL models of the certification domain, one concept per module."""

from casework.models.account import User
from casework.models.api_token import ApiToken
from casework.models.attachment import Attachment
from casework.models.audit import AuditEntry
from casework.models.case import CertificationCase
from casework.models.case_request import CaseRequest
from casework.models.decision import DecisionRecord
from casework.models.graduate_subsidy import GraduateSubsidy
from casework.models.issued_certificate import IssuedCertificate
from casework.models.levy_relief import LevyRelief
from casework.models.login_guard import LoginGuard, UsedCaptcha
from casework.models.notice import Notice
from casework.models.placement import Certificate, Contract, MonthCheck, Placement
from casework.models.placement_end import PlacementEnd
from casework.models.province_param import ProvinceParamEntry
from casework.models.reward import RewardApplication
from casework.models.tax_submission import TaxSubmission
from casework.models.unit import RelatedUnit, Unit
from casework.models.web_session import WebSession
from casework.models.window_acceptance import WindowAcceptance

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "CaseRequest",
    "Certificate",
    "CertificationCase",
    "Contract",
    "DecisionRecord",
    "IssuedCertificate",
    "GraduateSubsidy",
    "LevyRelief",
    "LoginGuard",
    "MonthCheck",
    "Notice",
    "Placement",
    "PlacementEnd",
    "ProvinceParamEntry",
    "RelatedUnit",
    "RewardApplication",
    "TaxSubmission",
    "Unit",
    "UsedCaptcha",
    "User",
    "WebSession",
    "WindowAcceptance",
]
