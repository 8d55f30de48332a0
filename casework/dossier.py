"""电子案卷 (003 五: every material of a certification kept as electronic files): one PDF
of a case for the 残联 archive, the current 审核认定书 followed by every uploaded PDF and
image of the case's people, with a bookmark per person and per file.

Images become A4 pages (scaled to fit, EXIF rotation applied); PDFs are appended as they
were stored (already cleaned on upload, casework.pdfclean). A file that is lost, damaged
or unreadable becomes one page saying so, so the archive shows the gap instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdf_canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import certificates, documents, uploads
from casework.models import Attachment, CertificationCase, Placement
from casework.placements import people_of
from casework.scope import is_within_jurisdiction, reads_case_files
from domain.errors import NotFound
from domain.id_number import mask_id_number

MARGIN = 15 * mm


def case_in_jurisdiction(session: Session, user, case_id: int) -> CertificationCase:
    """A case a staff user may open (its 残联 region in the user's jurisdiction; not a
    window clerk's, who never sees the people); any other is reported as missing, as
    review.task_for does for tasks."""
    case = session.get(CertificationCase, case_id)
    if case is None or not reads_case_files(user) or not is_within_jurisdiction(case.region_code, user.region_code):
        raise NotFound("未找到该案件，或不在您的管辖范围内")
    return case


def person_attachments(session: Session, placement: Placement, unit_id: int) -> list[Attachment]:
    """Every file of a person: contracts, 残疾证 images and claim materials, each once."""
    ids = [i for c in placement.contracts for i in (c.attachment_ids or [])]
    ids += [i for c in placement.certificates for i in (c.attachment_ids or [])]
    ids += session.scalars(
        select(Attachment.id).where(Attachment.placement_id == placement.id).order_by(Attachment.id)
    ).all()
    found = []
    for attachment_id in dict.fromkeys(ids):
        attachment = session.get(Attachment, attachment_id)
        if attachment is not None and attachment.unit_id == unit_id:  # never another unit's
            found.append(attachment)
    return found


def _notice_page(text: str) -> bytes:
    out = BytesIO()
    page = pdf_canvas.Canvas(out, pagesize=A4)
    page.setFont(documents.cjk_font(), 12)
    page.drawString(MARGIN, A4[1] - MARGIN - 12, text)
    page.save()
    return out.getvalue()


def image_page(data: bytes, caption: str) -> bytes:
    """One A4 page with the image scaled to fit under a caption."""
    image = ImageOps.exif_transpose(Image.open(BytesIO(data)))
    image = image.convert("RGB")
    out = BytesIO()
    page = pdf_canvas.Canvas(out, pagesize=A4)
    page.setFont(documents.cjk_font(), 9)
    page.drawString(MARGIN, A4[1] - MARGIN, caption)
    box_w, box_h = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN - 8 * mm
    scale = min(box_w / image.width, box_h / image.height)
    w, h = image.width * scale, image.height * scale
    page.drawImage(ImageReader(image), (A4[0] - w) / 2, MARGIN + (box_h - h), w, h)
    page.save()
    return out.getvalue()


def _pages_of(session: Session, settings: Any, case: CertificationCase, attachment: Attachment) -> PdfReader:
    caption = f"{attachment.kind_name}：{attachment.original_name or f'附件{attachment.id}'}"
    try:
        _found, data = uploads.read_attachment(session, settings, attachment.id, unit_id=case.unit_id)
        if attachment.mime == uploads.PDF:
            reader = PdfReader(BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise ValueError("encrypted")
            return reader
        return PdfReader(BytesIO(image_page(data, caption)))
    except NotFound as exc:
        return PdfReader(BytesIO(_notice_page(f"{caption}：{exc.message}")))
    except Exception:  # a damaged file must not lose the rest of the archive
        return PdfReader(BytesIO(_notice_page(f"{caption}：文件无法读取，请查看原件")))


def dossier_pdf(
    session: Session, settings: Any, case: CertificationCase, verify_url: Callable[[str], str]
) -> bytes:
    """The case's archive PDF (see the module docstring); `verify_url(token)` is the
    public address printed under the certificate's QR code."""
    writer = PdfWriter()
    certificate = certificates.current(session, case)
    if certificate is not None:
        start = len(writer.pages)
        writer.append(PdfReader(BytesIO(documents.certificate_pdf(certificate, verify_url(certificate.token)))))
        writer.add_outline_item(
            title=f"审核认定书 {certificate.number}（{certificate.status_name}）", page_number=start
        )
    for number, placement in enumerate(people_of(session, case.id), start=1):
        files = []  # (title, first page): bookmarks point at pages that exist already
        for attachment in person_attachments(session, placement, case.unit_id):
            start = len(writer.pages)
            writer.append(_pages_of(session, settings, case, attachment), import_outline=False)
            files.append((f"{attachment.kind_name}：{attachment.original_name or attachment.id}", start))
        if not files:
            continue
        person = writer.add_outline_item(
            title=f"{number}. {placement.name}（{mask_id_number(placement.id_number)}）", page_number=files[0][1]
        )
        for title, start in files:
            writer.add_outline_item(title=title, page_number=start, parent=person)
    if not writer.pages:
        writer.append(PdfReader(BytesIO(_notice_page(f"{case.year}年度案卷暂无审核认定书和上传材料"))))
    writer.add_metadata({"/Title": f"{case.year}年度按比例就业年审电子案卷"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
