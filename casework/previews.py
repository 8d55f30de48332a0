"""Looking at an attachment in the page, nothing downloaded: a PDF's pages as images.

A reviewer checks contracts, certificates and proofs all day; each PDF page is rendered
to a PNG on the server with PDFium (pypdfium2: Google's PDF engine, which runs no script
of the file) and shown as an image, so the browser never opens the PDF itself. The size
of a page image is bounded whatever page size the file declares.
"""

from __future__ import annotations

from io import BytesIO

from domain.errors import NotFound

MAX_PAGES = 30  # a preview shows at most this many pages; the rest is in the download
MAX_WIDTH, MAX_HEIGHT = 1000, 1500  # pixels of one rendered page
CANNOT = "该文件无法预览，请下载后查看"


def _document(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium raises its own errors for files it cannot open
        raise NotFound(CANNOT) from exc


def page_count(data: bytes) -> int:
    document = _document(data)
    try:
        return min(len(document), MAX_PAGES)
    finally:
        document.close()


def page_png(data: bytes, number: int) -> bytes:
    """Page `number` (1-based) as a PNG no larger than MAX_WIDTH × MAX_HEIGHT."""
    document = _document(data)
    try:
        if not 1 <= number <= min(len(document), MAX_PAGES):
            raise NotFound("该页不存在")
        page = document[number - 1]
        width, height = page.get_size()  # in points
        scale = min(MAX_WIDTH / max(width, 1), MAX_HEIGHT / max(height, 1), 2.0)
        image = page.render(scale=scale).to_pil()
        out = BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    except NotFound:
        raise
    except Exception as exc:
        raise NotFound(CANNOT) from exc
    finally:
        document.close()
