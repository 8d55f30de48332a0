"""SQL models of the certification domain, one concept per module."""

from casework.models.account import User
from casework.models.attachment import Attachment
from casework.models.audit import AuditEntry
from casework.models.case import CertificationCase
from casework.models.notice import Notice
from casework.models.placement import Certificate, Contract, MonthCheck, Placement
from casework.models.unit import RelatedUnit, Unit

__all__ = [
    "Attachment",
    "AuditEntry",
    "Certificate",
    "CertificationCase",
    "Contract",
    "MonthCheck",
    "Notice",
    "Placement",
    "RelatedUnit",
    "Unit",
    "User",
]
