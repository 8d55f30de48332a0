"""The files the pages hand out as downloads: Excel exports and printable PDFs."""

from __future__ import annotations

from io import BytesIO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(data: bytes, name: str) -> Response:
    """An Excel export (导出Excel) named `name`."""
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def pdf(data: bytes, name: str) -> Response:
    """A printable PDF (申请书, 审核认定书, 案卷) named `name`."""
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name)
