"""Small real files for upload tests (made on the fly, never mocked)."""

from __future__ import annotations

from io import BytesIO


def pdf_bytes(text: str = "contract") -> bytes:
    from reportlab.pdfgen import canvas

    out = BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()
