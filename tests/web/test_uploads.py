"""Uploads are recognised by their bytes, opened completely, and stored once by content."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from sqlalchemy import select

from casework import uploads
from casework.models import Attachment
from domain.errors import DomainError, NotFound
from tests.web.conftest import csrf_from, login

TEN_MB = 10 * 1024 * 1024


def store(db, settings, unit_id, data, name="file.bin", limit=TEN_MB):
    with db() as session:
        attachment = uploads.store_upload(
            session,
            settings,
            unit_id=unit_id,
            user_id=None,
            filename=name,
            data=data,
            kind="contract",
            limit_bytes=limit,
        )
        return attachment.id, attachment.sha256, attachment.mime, attachment.original_name


def stored_files(settings) -> list:
    return (
        [p for p in settings.upload_dir.rglob("*") if p.is_file()]
        if settings.upload_dir.exists()
        else []
    )


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda f: b"", "empty.pdf", "文件为空"),
        (
            lambda f: b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200,
            "合同.pdf",
            "仅支持jpeg、jpg、png、pdf格式的文件（按文件内容识别）",
        ),
        (
            lambda f: "这是一份文本文件，不是PDF".encode(),
            "合同.pdf",
            "仅支持jpeg、jpg、png、pdf格式的文件",
        ),
        (lambda f: b"GIF89a" + b"\x00" * 50, "图.jpg", "仅支持jpeg、jpg、png、pdf格式的文件"),
        (
            lambda f: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nthis is not a real pdf",
            "坏.pdf",
            "PDF文件已损坏，无法打开",
        ),
        (lambda f: f["pdf"][: len(f["pdf"]) // 3], "截断.pdf", "PDF文件已损坏，无法打开"),
        (lambda f: f["encrypted"], "加密.pdf", "PDF文件已加密，请上传未加密的文件"),
        (lambda f: f["jpeg"][: len(f["jpeg"]) // 2], "半张.jpg", "图片文件已损坏或不完整"),
        (lambda f: f["png"][:40], "半张.png", "图片文件已损坏或不完整"),
    ],
    ids=[
        "zero-byte",
        "renamed-exe",
        "text-named-pdf",
        "gif",
        "corrupt-pdf",
        "truncated-pdf",
        "encrypted-pdf",
        "truncated-jpeg",
        "truncated-png",
    ],  # fmt: skip
)
def test_refused_uploads_store_nothing(
    db,
    settings,
    employer,
    jpeg_bytes,
    png_bytes,
    pdf_bytes,
    encrypted_pdf_bytes,
    make,
    name,
    message,
):
    files = {
        "jpeg": jpeg_bytes,
        "png": png_bytes,
        "pdf": pdf_bytes,
        "encrypted": encrypted_pdf_bytes,
    }
    with pytest.raises(DomainError) as caught:
        store(db, settings, employer["unit_id"], make(files), name)
    assert message in caught.value.message
    assert caught.value.field == "file"
    with db() as session:
        assert session.scalars(select(Attachment)).all() == []
    assert stored_files(settings) == []


def test_oversize_names_the_actual_limit(db, settings, employer, pdf_bytes):
    with pytest.raises(DomainError, match="文件大小不能超过10MB"):
        store(db, settings, employer["unit_id"], b"%PDF-" + b"0" * TEN_MB, "big.pdf")
    two_mb = 2 * 1024 * 1024
    with pytest.raises(DomainError, match="文件大小不能超过2MB"):
        uploads.check_upload(b"%PDF-" + b"0" * two_mb, limit_bytes=two_mb)
    assert uploads.limit_text(100 * 1024 * 1024) == "100MB"
    assert uploads.limit_text(1536 * 1024) == "1.5MB"
    assert uploads.limit_text(512) == "512字节"


def test_province_limit_comes_from_parameters():
    from datetime import date

    assert uploads.upload_limit_bytes("210302", date(2025, 6, 1)) == TEN_MB
    assert uploads.upload_limit_bytes("150102", date(2025, 6, 1)) == 100 * 1024 * 1024


def test_good_files_are_stored_once_by_content(
    db, settings, employer, jpeg_bytes, png_bytes, pdf_bytes
):
    results = {}
    for name, data, mime in (
        ("照片.JPG", jpeg_bytes, "image/jpeg"),
        ("图.png", png_bytes, "image/png"),
        ("合同.pdf", pdf_bytes, "application/pdf"),
    ):
        attachment_id, sha, stored_mime, original = store(
            db, settings, employer["unit_id"], data, name
        )
        assert stored_mime == mime and original == name
        assert sha == hashlib.sha256(data).hexdigest()
        path = settings.upload_dir / sha[:2] / sha[2:4] / sha
        assert path.read_bytes() == data
        results[name] = attachment_id
    # the same bytes again, under another name: one more row, no second copy
    again_id, sha, _mime, _name = store(
        db, settings, employer["unit_id"], pdf_bytes, "../../etc/passwd.pdf"
    )
    assert again_id != results["合同.pdf"]
    assert len(stored_files(settings)) == 3
    with db() as session:
        assert session.get(Attachment, again_id).original_name == "passwd.pdf"
    # mime is decided by content: a PNG named .pdf is a PNG
    _id, _sha, mime, _name = store(db, settings, employer["unit_id"], png_bytes, "看似.pdf")
    assert mime == "image/png"


def test_read_attachment_enforces_owner_and_jurisdiction(
    db, settings, employer, other_employer, pdf_bytes
):
    attachment_id, *_ = store(db, settings, employer["unit_id"], pdf_bytes, "合同.pdf")
    with db() as session:
        found, data = uploads.read_attachment(
            session, settings, attachment_id, unit_id=employer["unit_id"]
        )
        assert data == pdf_bytes and found.id == attachment_id
        with pytest.raises(NotFound):
            uploads.read_attachment(
                session, settings, attachment_id, unit_id=other_employer["unit_id"]
            )
        assert (
            uploads.read_attachment(session, settings, attachment_id, region_code="210300")[1]
            == pdf_bytes
        )
        assert (
            uploads.read_attachment(session, settings, attachment_id, region_code="")[1]
            == pdf_bytes
        )
        with pytest.raises(NotFound):
            uploads.read_attachment(session, settings, attachment_id, region_code="330000")
        with pytest.raises(NotFound):
            uploads.read_attachment(session, settings, attachment_id)
        with pytest.raises(NotFound):
            uploads.read_attachment(session, settings, 99999, unit_id=employer["unit_id"])


def test_download_route(client, app, db, settings, employer, other_employer, staff, pdf_bytes):
    attachment_id, *_ = store(db, settings, employer["unit_id"], pdf_bytes, "劳务派遣协议 2025.pdf")
    login(client, employer["login"])
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 200
    assert response.data == pdf_bytes
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    # a PDF is always a download (no inline viewer gets to run anything)
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E5%8A%B3%E5%8A%A1" in disposition  # 劳务, percent-encoded
    assert 'filename="2025.pdf"' in disposition  # the ASCII fallback for old clients
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response.headers["Content-Security-Policy"]

    other = app.test_client()
    login(other, other_employer["login"])
    assert other.get(f"/attachments/{attachment_id}").status_code == 404

    anshan = app.test_client()
    login(anshan, staff["anshan"], staff=True)
    assert anshan.get(f"/attachments/{attachment_id}").status_code == 200
    zhejiang = app.test_client()
    login(zhejiang, staff["zhejiang"], staff=True)
    assert zhejiang.get(f"/attachments/{attachment_id}").status_code == 404


def test_upload_api_refusals(app, employer):
    from tests.web.conftest import api_token

    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(client, employer['login'])}"}
    response = client.post(
        "/api/v1/unit/attachments",
        headers=headers,
        data={"file": (BytesIO(b"MZ fake"), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.get_json()["fields"]["file"].startswith("仅支持jpeg")
    missing = client.post(
        "/api/v1/unit/attachments", headers=headers, data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 400


def test_request_too_large_is_a_chinese_413(make_app, employer):
    small = make_app(MAX_CONTENT_LENGTH=1024)
    client = small.test_client()
    login(client, employer["login"])
    token = csrf_from(client, "/unit/related/new")
    response = client.post(
        "/unit/related/new",
        data={"csrf_token": token, "attachments": (BytesIO(b"%PDF-" + b"0" * 4096), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_a_pdf_is_looked_at_as_page_images(client, app, db, settings, employer, other_employer, staff, pdf_bytes, png_bytes):
    """查看附件: a PDF's pages rendered to PNG on the server, shown in the page (nothing
    downloaded, no PDF viewer); the same owner/jurisdiction rules as the download."""
    from PIL import Image

    pdf_id, *_ = store(db, settings, employer["unit_id"], pdf_bytes, "合同.pdf")
    png_id, *_ = store(db, settings, employer["unit_id"], png_bytes, "证件.png")
    anshan = app.test_client()
    login(anshan, staff["anshan"], staff=True)
    view = anshan.get(f"/attachments/{pdf_id}/view")
    assert view.status_code == 200
    html = view.get_data(as_text=True)
    assert f"/attachments/{pdf_id}/pages/2.png" in html and "第 2 / 2 页" in html  # the test PDF has two pages
    page = anshan.get(f"/attachments/{pdf_id}/pages/1.png")
    assert page.status_code == 200 and page.mimetype == "image/png"
    width, height = Image.open(BytesIO(page.data)).size
    assert 0 < width <= 1000 and 0 < height <= 1500
    assert anshan.get(f"/attachments/{pdf_id}/pages/3.png").status_code == 404  # no such page
    assert anshan.get(f"/attachments/{png_id}/pages/1.png").status_code == 404  # an image is itself
    assert f"/attachments/{png_id}" in anshan.get(f"/attachments/{png_id}/view").get_data(as_text=True)
    for outsider in ((other_employer["login"], False), (staff["zhejiang"], True)):
        other = app.test_client()
        login(other, outsider[0], staff=outsider[1])
        assert other.get(f"/attachments/{pdf_id}/view").status_code == 404
        assert other.get(f"/attachments/{pdf_id}/pages/1.png").status_code == 404
