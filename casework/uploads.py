"""Uploaded evidence (合同、劳务派遣协议、证明材料…): checked by content, stored by hash.

Only JPEG, PNG and PDF are accepted, recognised by their first bytes, never by the file
name; each file is opened completely (Pillow for images, pypdf for every page of a PDF)
so that a truncated, corrupt or encrypted file is refused at upload rather than found
unreadable by a reviewer weeks later. Files are stored under
``upload_dir/sha[:2]/sha[2:4]/sha``: the same bytes are stored once, and the user's file
name is kept only as data (for the download's Content-Disposition).

Hostile files: an image's size is read from its header and compared with
`MAX_IMAGE_PIXELS` before a pixel is decoded (a 257 KB PNG can claim 9,400 × 9,400 pixels
and cost 85 MB to decode); a PDF loses whatever could run, launch or carry a file
(`casework.pdfclean`) and the cleaned bytes are what is stored; a file name loses bidi and
other control characters and always ends in the extension of its content, so
``invoice\u202efdp.exe`` holding a PDF is kept as ``invoicefdp.exe.pdf``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from casework import pdfclean
from casework.models import Attachment, Unit
from casework.models.attachment import KINDS
from casework.scope import NotFound, is_within_jurisdiction
from domain.errors import DomainError

FIELD = "file"
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
# Extensions a name may already end in for its content (anything else gets EXTENSIONS'one).
MATCHING_EXTENSIONS = {JPEG: ("jpg", "jpeg", "jpe", "jfif"), PNG: ("png",), PDF: ("pdf",)}
# 40 megapixels: more than any phone photo or A4 scan at 600 dpi (35 MP) needs; an RGBA
# image this large still costs 160 MB to decode, so nothing larger is decoded at all.
MAX_IMAGE_PIXELS = 40_000_000
MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
MAX_PDF_PAGES = 500
NOT_ALLOWED = "仅支持jpeg、jpg、png、pdf格式的文件（按文件内容识别）"
CORRUPT_PDF = "PDF文件已损坏，无法打开"
ENCRYPTED_PDF = "PDF文件已加密，请上传未加密的文件"
CORRUPT_IMAGE = "图片文件已损坏或不完整，无法打开"
IMAGE_TOO_LARGE = "图片像素过多（超过4000万像素），请缩小后再上传"
ACTIVE_PDF = "PDF文件含有无法移除的脚本或嵌入内容，请另存为普通PDF后再上传"
# Bidi embeddings/overrides/isolates, the LRM/RLM/ALM marks: they reorder what is shown.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def sniff(data: bytes) -> str | None:
    """The MIME type by magic bytes, or None for anything not allowed."""
    for magic, mime in MAGIC:
        if data.startswith(magic):
            return mime
    return None


def limit_text(limit_bytes: int) -> str:
    """10485760 → "10MB"; smaller limits in KB or bytes."""
    if limit_bytes >= 1024 * 1024:
        return f"{round(limit_bytes / (1024 * 1024), 2):g}MB"
    if limit_bytes >= 1024:
        return f"{round(limit_bytes / 1024, 2):g}KB"
    return f"{limit_bytes}字节"


def upload_limit_bytes(region_code: str | None, on: date) -> int:
    """The province's upload limit on a day (001: 10 MB; 002's province: 100 MB)."""
    from domain.params import params_for

    return params_for(region_code or None, on).upload_limit_bytes


def _check_image(data: bytes, mime: str) -> None:
    from PIL import Image

    expected = "JPEG" if mime == JPEG else "PNG"
    # Pillow's own guard (process-wide, so any other decoding path has it too): it warns
    # above the limit and refuses at twice the limit, both from the header; the warning is
    # an error here. The explicit comparison below keeps the limit if the guard is changed.
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:  # reads the header only
                if probe.format != expected:
                    raise DomainError(CORRUPT_IMAGE, FIELD)
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise DomainError(IMAGE_TOO_LARGE, FIELD)
                probe.verify()
            with Image.open(BytesIO(data)) as image:
                if mime == JPEG:  # reads every scan at 1/8 scale: 1/64 of the memory
                    image.draft(image.mode, (image.width // 8, image.height // 8))
                image.load()  # decodes every pixel: catches truncated files
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(IMAGE_TOO_LARGE, FIELD) from None
    except Exception:  # noqa: BLE001 - any decoder failure means the file is unusable
        raise DomainError(CORRUPT_IMAGE, FIELD) from None


def _check_pdf(data: bytes) -> None:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DomainError(ENCRYPTED_PDF, FIELD)
        count = len(reader.pages)
        if count == 0:
            raise DomainError(CORRUPT_PDF, FIELD)
        if count > MAX_PDF_PAGES:
            raise DomainError(f"PDF文件页数不能超过{MAX_PDF_PAGES}页", FIELD)
        for page in reader.pages:
            _ = page.mediabox
            page.get_contents()
            page.extract_text()
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds; all mean "cannot open"
        raise DomainError(CORRUPT_PDF, FIELD) from None


def check_upload(data: bytes, limit_bytes: int) -> str:
    """Validate one file's bytes; return its MIME type or raise DomainError (field "file")."""
    if not data:
        raise DomainError("文件为空", FIELD)
    if len(data) > limit_bytes:
        raise DomainError(f"文件大小不能超过{limit_text(limit_bytes)}", FIELD)
    mime = sniff(data)
    if mime is None:
        raise DomainError(NOT_ALLOWED, FIELD)
    if mime == PDF:
        _check_pdf(data)
    else:
        _check_image(data, mime)
    return mime


def sanitize(data: bytes, mime: str) -> bytes:
    """The bytes to store: a PDF without active content (the same bytes if it had none)."""
    if mime != PDF:
        return data
    try:
        return pdfclean.strip(data)
    except ValueError:
        raise DomainError(ACTIVE_PDF, FIELD) from None
    except Exception:  # noqa: BLE001 - pypdf raises many kinds; all mean "cannot open"
        raise DomainError(CORRUPT_PDF, FIELD) from None


def _visible(c: str) -> bool:
    """Not a control, format (incl. bidi), private-use or unassigned character, nor a line
    or paragraph separator."""
    return c not in BIDI_CONTROLS and unicodedata.category(c) not in (
        "Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"
    )  # fmt: skip


def safe_name(filename: str, mime: str) -> str:
    """The name stored, shown and served: no directories, no bidi or other control
    characters, at most 200 characters, and always ending in the content's extension
    (``invoice\u202efdp.exe`` holding a PDF → ``invoicefdp.exe.pdf``)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c if unicodedata.category(c) != "Zs" else " " for c in name if _visible(c))
    name = re.sub(r" {2,}", " ", name).strip(" .")
    ext = EXTENSIONS[mime]
    stem, dot, current = name.rpartition(".")
    if not dot or current.lower() not in MATCHING_EXTENSIONS[mime]:
        stem, current = name, ext
    stem = stem.strip(" .")[:190] or "附件"
    return f"{stem}.{current}"


def content_disposition(name: str, mime: str, *, inline: bool) -> str:
    """A Content-Disposition with an ASCII `filename` for old clients and the exact name as
    RFC 5987/6266 `filename*` (UTF-8, percent-encoded), always both."""
    clean = safe_name(name, mime)
    ascii_name = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", ascii_name).strip(" ._")
    if not ascii_name.lower().endswith("." + clean.rsplit(".", 1)[-1].lower()):
        ascii_name = f"attachment.{EXTENSIONS[mime]}"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


def storage_path(settings: Any, sha: str) -> Path:
    return Path(settings.upload_dir) / sha[:2] / sha[2:4] / sha


def _write_once(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class PendingUpload:
    """A file already validated, to be stored by `store_checked`."""

    filename: str
    data: bytes
    mime: str


def prepare_upload(filename: str, data: bytes, limit_bytes: int) -> PendingUpload:
    """Check the bytes and clean them (what is stored is what `sanitize` returns)."""
    mime = check_upload(data, limit_bytes)
    return PendingUpload(filename, sanitize(data, mime), mime)


def store_checked(
    session: Session,
    settings: Any,
    pending: PendingUpload,
    *,
    unit_id: int,
    user_id: int | None,
    kind: str,
) -> Attachment:
    """Write a validated file (once per content) and add its Attachment row (flushed)."""
    if kind not in KINDS:
        raise DomainError("附件类型不存在", "kind")
    sha = hashlib.sha256(pending.data).hexdigest()
    _write_once(storage_path(settings, sha), pending.data)
    attachment = Attachment(
        unit_id=unit_id,
        sha256=sha,
        size=len(pending.data),
        mime=pending.mime,
        original_name=safe_name(pending.filename, pending.mime),
        kind=kind,
        uploaded_by=user_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def store_upload(
    session: Session,
    settings: Any,
    *,
    unit_id: int,
    user_id: int | None,
    filename: str,
    data: bytes,
    kind: str,
    limit_bytes: int,
) -> Attachment:
    """Check the bytes and store them; nothing is written if the file is refused."""
    if kind not in KINDS:
        raise DomainError("附件类型不存在", "kind")
    pending = prepare_upload(filename, data, limit_bytes)
    return store_checked(session, settings, pending, unit_id=unit_id, user_id=user_id, kind=kind)


def get_attachment(
    session: Session,
    attachment_id: int,
    *,
    unit_id: int | None = None,
    region_code: str | None = None,
) -> Attachment:
    """The attachment if the caller may see it: its own unit's, or a unit in the region."""
    if unit_id is None and region_code is None:
        raise NotFound("附件不存在")
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("附件不存在")
    if unit_id is not None:
        if attachment.unit_id != unit_id:
            raise NotFound("附件不存在")
    else:
        unit = session.get(Unit, attachment.unit_id)
        if unit is None or not is_within_jurisdiction(unit.cdpf_region, region_code):
            raise NotFound("附件不存在")
    return attachment


def read_attachment(
    session: Session,
    settings: Any,
    attachment_id: int,
    *,
    unit_id: int | None = None,
    region_code: str | None = None,
) -> tuple[Attachment, bytes]:
    """The attachment and its bytes, enforcing ownership (employer) or jurisdiction (staff)."""
    attachment = get_attachment(session, attachment_id, unit_id=unit_id, region_code=region_code)
    path = storage_path(settings, attachment.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("附件文件已丢失，请重新上传") from None
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise NotFound("附件文件已损坏，请重新上传")
    return attachment, data


def attachments_of(session: Session, ids: list[int] | None, unit_id: int) -> list[Attachment]:
    """The unit's attachments among `ids`, in the given order (others are skipped)."""
    found = []
    for attachment_id in ids or []:
        attachment = session.get(Attachment, attachment_id)
        if attachment is not None and attachment.unit_id == unit_id:
            found.append(attachment)
    return found
