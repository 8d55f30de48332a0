"""Errors an outside-system adapter raises, split by what the caller should do next.

The worker that runs a service task only needs one decision: retry later
(`SystemUnavailable`: outage, timeout, 5xx) or stop and show the problem to a person
(`BadResponse`: the other side answered, but with something we cannot use). Both carry
a Chinese `message` for the reviewer's screen and the `system` that failed.
"""

from __future__ import annotations

SYSTEM_LABELS: dict[str, str] = {
    "cdpf": "中国残联残疾人证信息库",
    "veterans": "退役军人事务部门残疾军人证信息库",
    "pension": "人社养老保险系统",
    "medical": "医疗保障信息系统",
    "wage": "工资发放数据系统",
    "placement": "按比例就业安置登记库",
    "units": "市场监管单位登记系统",
    "tax": "税务系统",
}


def system_label(system: str) -> str:
    """The Chinese name of an outside system, for messages users read."""
    return SYSTEM_LABELS.get(system, system)


class AdapterError(Exception):
    """Base class: an outside system could not give us a usable answer."""

    retryable: bool = False

    def __init__(self, message: str, system: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.status = status

    def __str__(self) -> str:
        return f"[{self.system}] {self.message}"


class SystemUnavailable(AdapterError):
    """Outage, timeout, refused connection or a 5xx answer: worth retrying later."""

    retryable = True


class BadResponse(AdapterError):
    """The system answered, but the answer is malformed or refuses our request: do not retry."""

    retryable = False
