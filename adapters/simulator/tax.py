"""The simulated 税务 inbox: accepts certified results, idempotent by a client key.

A worker that timed out cannot know whether its push arrived, so it pushes again with the
same key; the inbox must then return the first receipt rather than file twice. Reusing a
key for different content is a client bug and is refused (409).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from domain.credit_code import is_valid_credit_code


class TaxRejected(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class TaxInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    def submit(self, payload: Any, header_key: str | None) -> tuple[int, dict[str, Any]]:
        """(201, receipt) the first time, (200, same receipt) for a replay."""
        if not isinstance(payload, dict):
            raise TaxRejected(400, "请求体须为JSON对象")
        key = payload.get("idempotency_key")
        if not isinstance(key, str) or not key.strip() or len(key) > 128:
            raise TaxRejected(400, "缺少幂等键 idempotency_key（1–128个字符）")
        if header_key is not None and header_key != key:
            raise TaxRejected(400, "请求头 Idempotency-Key 与请求体中的幂等键不一致")
        unit_code = payload.get("unit_code")
        if not isinstance(unit_code, str) or not is_valid_credit_code(unit_code):
            raise TaxRejected(400, "unit_code 须为有效的统一社会信用代码")
        year = payload.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise TaxRejected(400, "year 须为业务年度")
        with self._lock:
            if key in self._by_key:
                first, receipt = self._by_key[key]
                if first != payload:
                    raise TaxRejected(409, "该幂等键已用于内容不同的推送，请更换幂等键")
                return 200, receipt
            receipt = {
                "receipt_no": f"SW{year}{len(self._by_key) + 1:06d}",
                "idempotency_key": key,
                "unit_code": unit_code,
                "year": year,
                "status": "accepted",
                "message": "税务部门已接收认证结果",
                "received_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            }
            self._by_key[key] = (payload, receipt)
            return 201, receipt

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"receipt": r, "payload": p} for p, r in self._by_key.values()]

    def clear(self) -> None:
        with self._lock:
            self._by_key.clear()
