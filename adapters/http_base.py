"""The one place where HTTP failures become adapter errors.

Every client goes through `JsonHttp`, so "what counts as retryable" is decided once:
transport errors, timeouts, 429 and 5xx are `SystemUnavailable`; any other unexpected
status, a non-JSON body or a body of the wrong shape is `BadResponse`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from adapters.errors import BadResponse, SystemUnavailable, system_label
from adapters.wire import NO_RECORD, WireError

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0


def path_segment(value: str) -> str:
    """Quote a value used inside a URL path, so an ID like '../x' cannot change the route."""
    return quote(value, safe="")


class JsonHttp:
    """A small JSON-over-HTTP helper bound to one base URL (one outside system or the simulator)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout), headers=headers or {})

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def get_json(
        self, system: str, path: str, *, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """GET and decode a JSON object."""
        result = self._send(system, "GET", path, params=params)
        assert result is not None  # only find_json accepts a 404
        return result

    def find_json(
        self, system: str, path: str, *, params: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """GET a record that may not exist: None for a 404 whose body is
        `{"error": "no_record"}`; any other 404 (wrong route or base URL) is BadResponse."""
        return self._send(system, "GET", path, params=params, none_on_404=True)

    def post_json(
        self,
        system: str,
        path: str,
        payload: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        result = self._send(system, "POST", path, json=payload, headers=headers)
        assert result is not None  # only find_json accepts a 404
        return result

    def _send(
        self,
        system: str,
        method: str,
        path: str,
        *,
        none_on_404: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        label = system_label(system)
        url = f"{self.base_url}{path}"
        try:
            response = self._client.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException:
            raise SystemUnavailable(
                f"{label}响应超时（超过{self.timeout:g}秒），请稍后重试", system
            ) from None
        except httpx.TransportError as exc:
            raise SystemUnavailable(
                f"无法连接{label}（{type(exc).__name__}），请稍后重试", system
            ) from None
        status = response.status_code
        if status == 404 and none_on_404 and _field(response, "error") == NO_RECORD:
            return None  # the system looked and has no record (not: the route is wrong)
        if status == 429 or status >= 500:
            detail = _field(response, "message") or f"HTTP {status}"
            raise SystemUnavailable(f"{label}暂时不可用：{detail}", system, status=status)
        if status >= 400:
            detail = _field(response, "message") or f"HTTP {status}"
            raise BadResponse(f"{label}拒绝了请求：{detail}", system, status=status)
        try:
            body = response.json()
        except ValueError:
            raise BadResponse(f"{label}返回的内容不是有效的JSON", system, status=status) from None
        if not isinstance(body, dict):
            raise BadResponse(f"{label}返回的JSON格式不符合约定", system, status=status)
        return body


def parse(system: str, parser: Callable[[dict[str, Any]], T], body: dict[str, Any]) -> T:
    """Run a wire parser; a shape error becomes BadResponse naming the system."""
    try:
        return parser(body)
    except (WireError, KeyError, TypeError, ValueError) as exc:
        raise BadResponse(f"{system_label(system)}返回的数据格式有误：{exc}", system) from None


def _field(response: httpx.Response, name: str) -> str:
    """A string field (`message`, `error`) of a JSON error body, if the other side sent one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get(name), str):
        return body[name]
    return ""
