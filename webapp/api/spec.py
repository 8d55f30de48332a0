"""The API's one validation layer: spectree over the pydantic declarations of
`casework.schemas`.

`declare(...)` on a view validates its query, JSON body or form against a model before
the view runs (a refusal is the usual `{"error", "fields"}` answer in Chinese, status
400) and records the operation — summary and description from the view's docstring,
parameters, body and answers from the models — for the generated OpenAPI document.

Why spectree: it works on the plain Flask blueprint we have (a decorator per view, no
new app or blueprint class as flask-openapi3/apiflask need), validates with pydantic v2
and builds the OpenAPI 3.1 document from the same models, so what is accepted and what
is documented cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from pydantic import BaseModel
from spectree import Response, SpecTree

from casework.schemas.common import ErrorBody
from casework.schemas.messages import field_messages

INPUT_ERROR = "输入有误"
NOT_AN_OBJECT = "请求体须为JSON对象"

# Answers every operation may give, with what they mean here.
ERRORS = {
    400: "输入有误（fields逐字段给出中文提示）或当前步骤不允许",
    401: "未登录或登录已失效（公开接口：所带的令牌已失效）",
    403: "无权执行此操作（角色不符）",
    404: "不存在、不属于本单位或不在管辖范围内（编号超出范围同样为404）",
    409: "业务已被他人处理，或当前尚不可进行",
    413: "上传的文件过大",
    429: "操作过于频繁",
}
_MODELS: dict[str, type[BaseModel]] = {}
_BODIES: set[str] = set()  # names of the models that validate JSON bodies


class Documented(Response):
    """Answers are declared for the document only. Validating them at run time would turn
    a drift into a 500 for the user; the schemathesis test checks them instead."""

    def find_model(self, code: int) -> None:
        return None


def _refuse(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """Turn spectree's refusal into our Chinese error answer (raised, so that the API's
    error handler renders it like every other 400)."""
    if error is None:
        return
    from webapp.api import ApiError

    title = getattr(error, "title", "")
    model = _MODELS.get(title)
    if title in _BODIES and not isinstance(req.get_json(silent=True), dict):
        raise ApiError(400, NOT_AN_OBJECT, {"request": NOT_AN_OBJECT})
    fields = field_messages(model, error) if model is not None else {}
    raise ApiError(400, INPUT_ERROR, fields or {"request": INPUT_ERROR})


api_spec = SpecTree(
    "flask",
    mode="strict",
    before=_refuse,
    validation_error_status=400,
    validation_error_model=ErrorBody,
    annotations=False,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    title="quotacert 按比例就业情况联网认证 API",
    version="1.0.0",
    path="api/v1/apidoc",
)


def _register(model: type[BaseModel] | None) -> None:
    if model is not None:
        _MODELS[model.__name__] = model


def declare(
    *,
    tags: tuple[str, ...],
    ok: int = 200,
    answer: type[BaseModel] | None = None,
    answer_description: str = "成功",
    query: type[BaseModel] | None = None,
    json: type[BaseModel] | None = None,
    form: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (400, 401, 403, 404, 409, 429),
    public: bool = False,
    paths: dict[str, str] | None = None,
) -> Callable:
    """Validate and document one operation (see the module docstring)."""
    for model in (query, json, form):
        _register(model)
    if json is not None:
        _BODIES.add(json.__name__)
    codes: dict[str, Any] = {f"HTTP_{ok}": (answer, answer_description)}
    for status in errors:
        codes[f"HTTP_{status}"] = (ErrorBody, ERRORS[status])
    return api_spec.validate(
        query=query,
        json=json,
        form=form,
        resp=Documented(**codes),
        tags=tags,
        security={} if public else None,
        path_parameter_descriptions=paths,
    )



def body() -> Any:
    """The validated JSON body of this request (a model instance).

    spectree leaves the JSON model unchecked (None) when the body is a form or multipart
    upload: that is a 400 like any other body that is not a JSON object, not a 500."""
    data = request.context.json  # type: ignore[attr-defined]
    if data is None:
        from webapp.api import ApiError

        raise ApiError(400, NOT_AN_OBJECT, {"request": NOT_AN_OBJECT})
    return data


def query() -> Any:
    return request.context.query  # type: ignore[attr-defined]


def form() -> Any:
    return request.context.form  # type: ignore[attr-defined]
