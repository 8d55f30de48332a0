"""The OpenAPI 3.1 document, assembled from what each API module documents."""

from __future__ import annotations

from flask import jsonify

from webapp.api import bp, openapi_paths, openapi_schemas


def build_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "quotacert 按比例就业情况联网认证 API",
            "version": "1.0.0",
            "description": "用人单位网报与残联审核的全部操作。认证：POST /api/v1/auth/login 取得令牌，"
            "之后以 Authorization: Bearer <token> 调用。错误以JSON返回，error为中文说明，"
            "fields为逐字段的中文提示。",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(openapi_paths().items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                **openapi_schemas(),
            },
        },
        "security": [{"bearer": []}],
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_document())
