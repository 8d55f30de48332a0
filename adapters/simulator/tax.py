"""The simulated 税务 inbox: accepts certified results, idempotent by a client key.

A worker that timed out cannot know whether its push arrived, so it pushes again with the
same key; the inbox must then return the first receipt rather than file twice. Reusing a
key for different content is a client bug and is refused (409). A correction is a new
key (a new version of the unit's year), filed as a new record.

After `delay_seconds` the tax side checks each record against its own data (003: 税务部门
确认并反馈) and sends the result, 一致 or 不一致 with a reason, to `callback_url` (the
certification system's receiving endpoint), as the real exchange does. `settings()`
configures the delay, the callback and which units come back 不一致. `received` counts
every push, replays included, so tests can tell a retried push from a second record.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

import httpx

from domain.credit_code import is_valid_credit_code


class TaxRejected(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


log = logging.getLogger(__name__)
SETTINGS = ("delay_seconds", "callback_url", "callback_token", "inconsistent")


class TaxInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.received = 0
        self.delay_seconds = 0.0
        self.callback_url = ""
        self.callback_token = ""
        self.inconsistent: dict[str, str] = {}  # unit code → the reason the tax side gives
        self._confirmations: list[dict[str, Any]] = []
        self._timers: list[threading.Timer] = []

    def settings(self, body: Any) -> dict[str, Any]:
        """Apply `{"delay_seconds"?, "callback_url"?, "callback_token"?, "inconsistent"?}`."""
        if body is not None:
            if not isinstance(body, dict) or set(body) - set(SETTINGS):
                raise TaxRejected(400, f"可设置的项目：{', '.join(SETTINGS)}")
            delay = body.get("delay_seconds", self.delay_seconds)
            if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 86400:
                raise TaxRejected(400, "delay_seconds 须为0至86400秒")
            inconsistent = body.get("inconsistent", self.inconsistent)
            if not isinstance(inconsistent, dict) or not all(isinstance(v, str) for v in inconsistent.values()):
                raise TaxRejected(400, "inconsistent 须为 {统一社会信用代码: 不一致原因}")
            with self._lock:
                self.delay_seconds = float(delay)
                self.callback_url = str(body.get("callback_url", self.callback_url) or "")
                self.callback_token = str(body.get("callback_token", self.callback_token) or "")
                self.inconsistent = dict(inconsistent)
        with self._lock:
            return {
                "delay_seconds": self.delay_seconds, "callback_url": self.callback_url,
                "callback_set": bool(self.callback_token), "inconsistent": dict(self.inconsistent),
                "received": self.received, "records": len(self._by_key),
            }

    def confirmations(self) -> list[dict[str, Any]]:
        """Every check result made so far (delivered or not), oldest first."""
        with self._lock:
            return [dict(c) for c in self._confirmations]

    def _confirm(self, payload: dict[str, Any], receipt: dict[str, Any]) -> None:
        reason = self.inconsistent.get(payload["unit_code"], "")
        confirmation = {
            "idempotency_key": receipt["idempotency_key"],
            "receipt_no": receipt["receipt_no"],
            "unit_code": payload["unit_code"],
            "year": payload["year"],
            "consistent": not reason,
            "reason": reason,
            "checked_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        with self._lock:
            self._confirmations.append(confirmation)
            url, token = self.callback_url, self.callback_token
        if url:
            send_confirmation(url, token, confirmation)

    def _schedule(self, payload: dict[str, Any], receipt: dict[str, Any]) -> None:
        timer = threading.Timer(self.delay_seconds, self._confirm, args=(payload, receipt))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

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
            self.received += 1
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
        self._schedule(payload, receipt)
        return 201, receipt

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"receipt": r, "payload": p} for p, r in self._by_key.values()]

    def clear(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            self._by_key.clear()
            self._confirmations.clear()
            self.received = 0
            self.delay_seconds, self.callback_url, self.callback_token, self.inconsistent = 0.0, "", "", {}


def send_confirmation(url: str, token: str, confirmation: dict[str, Any], attempts: int = 3) -> bool:
    """POST one check result to the receiving system; a few tries, then it stays listed
    (GET /tax/confirmations) for the receiver to fetch."""
    for _ in range(attempts):
        try:
            response = httpx.post(url, json=confirmation, headers={"X-Tax-Token": token}, timeout=10)
            if response.status_code < 500:
                return response.status_code < 400
        except httpx.HTTPError:
            log.warning("税务确认结果发送失败：%s", url)
    return False
