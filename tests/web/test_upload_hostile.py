"""Hostile uploads: a PDF that runs JavaScript on open, an image bomb, a name that hides its
real extension behind a right-to-left override. Each is met at upload (what is stored) and
at download (how it is served)."""

from __future__ import annotations

import subprocess
import sys
import time
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework import pdfclean, uploads
from casework.models import Attachment
from domain.errors import DomainError
from tests.web.conftest import api_token, login
from tests.web.test_uploads import TEN_MB, store, stored_files

ACTIVE_TOKENS = (b"JavaScript", b"J#61vaScript", b"OpenAction", b"app.alert", b"/AA", b"Launch",
                 b"EmbeddedFile", b"MZ-payload", b"calc.exe", b"javascript:")  # fmt: skip


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF written by hand (so that the hostile parts are exactly what a tool would
    make), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref,
    )  # fmt: skip
    return bytes(out)


def script_pdf() -> bytes:
    """Runs app.alert on open (/OpenAction, also with a #-escaped name), on page open (/AA
    /Launch), from the /JavaScript name tree, and carries an embedded .exe and a
    javascript: link; one harmless https link that must survive."""
    content = b"BT /F1 12 Tf 72 720 Td (contract) Tj ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R"
            b" /Names << /JavaScript 5 0 R /EmbeddedFiles 7 0 R >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 10 0 R"
            b" /Resources << /Font << /F1 11 0 R >> >>"
            b" /AA << /O 9 0 R >> /Annots [12 0 R 13 0 R] >>",
            b"<< /Type /Action /S /J#61vaScript /JS (app.alert\\('opened'\\);) >>",
            b"<< /Names [(init) 6 0 R] >>",
            b"<< /S /JavaScript /JS (app.alert\\('names'\\);) >>",
            b"<< /Names [(run.exe) 8 0 R] >>",
            b"<< /Type /Filespec /F (run.exe) /EF << /F 14 0 R >> >>",
            b"<< /S /Launch /F (calc.exe) >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10]"
            b" /A << /S /URI /URI (javascript:app.alert\\(1\\)) >> >>",
            b"<< /Type /Annot /Subtype /Link /Rect [10 10 20 20]"
            b" /A << /S /URI /URI (https://www.cdpf.org.cn/) >> >>",
            b"<< /Type /EmbeddedFile /Length 10 >>\nstream\nMZ-payload\nendstream",
        ]
    )


def bomb_png(side: int = 9400) -> bytes:
    """An 8-bit greyscale PNG of side × side pixels, a grey ramp: 352 KB on disk, 88 MB
    once decoded (the issue's 257 KB file cost 85 MB). Written row by row with zlib, so that
    making it costs the test no decoded image either."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(range(256)) * (side // 256) + bytes(side % 256)  # filter, pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


# -- PDF with scripts --------------------------------------------------------------------


def test_crafted_pdf_is_really_active():
    """The fixture is what it claims: pypdf reads it and every trick is found."""
    data = script_pdf()
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 1
    assert reader.trailer["/Root"]["/OpenAction"]["/S"] == "/JavaScript"
    found = pdfclean.findings(data)
    assert {"/OpenAction", "/JavaScript", "/EmbeddedFiles", "/AA", "/A action"} <= set(found)


def test_pdf_scripts_are_removed_before_storing(db, settings, employer):
    data = script_pdf()
    attachment_id, sha, mime, name = store(db, settings, employer["unit_id"], data, "合同.pdf")
    assert mime == uploads.PDF and name == "合同.pdf"
    stored = (settings.upload_dir / sha[:2] / sha[2:4] / sha).read_bytes()
    assert stored != data and sha == uploads.hashlib.sha256(stored).hexdigest()
    for token in ACTIVE_TOKENS:
        assert token not in stored, token  # not even as an unreferenced object
    assert pdfclean.findings(stored) == []
    reader = PdfReader(BytesIO(stored))
    assert len(reader.pages) == 1 and "contract" in reader.pages[0].extract_text()
    annots = [a.get_object() for a in reader.pages[0]["/Annots"]]
    links = [a["/A"]["/URI"] for a in annots if "/A" in a]
    assert links == ["https://www.cdpf.org.cn/"]  # the harmless link is kept
    with db() as session:
        assert session.get(Attachment, attachment_id).size == len(stored)


def test_clean_pdf_is_stored_byte_for_byte(pdf_bytes):
    assert pdfclean.findings(pdf_bytes) == []
    assert uploads.sanitize(pdf_bytes, uploads.PDF) is pdf_bytes


def test_pdf_with_scripts_uploaded_and_downloaded(app, client, employer, settings):
    """Through the API upload and the download route: stored clean, served as a download
    with the sandbox policy and nosniff."""
    api = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(api, employer['login'])}"}
    response = api.post(
        "/api/v1/unit/attachments",
        headers=headers,
        data={"file": (BytesIO(script_pdf()), "协议.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    attachment_id = response.get_json()["id"]
    login(client, employer["login"])
    served = client.get(f"/attachments/{attachment_id}")
    assert served.status_code == 200
    for token in ACTIVE_TOKENS:
        assert token not in served.data, token
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    policy = served.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and "sandbox" in policy


def test_pdf_stored_before_cleaning_is_still_only_downloaded(app, client, db, settings, employer):
    """A row from before this change points at an active file: it is never inline."""
    data = script_pdf()
    sha = uploads.hashlib.sha256(data).hexdigest()
    path = uploads.storage_path(settings, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with db() as session:
        row = Attachment(unit_id=employer["unit_id"], sha256=sha, size=len(data),
                         mime=uploads.PDF, original_name="old\u202efdp.exe", kind="contract")  # fmt: skip
        session.add(row)
        session.flush()
        attachment_id = row.id
    login(client, employer["login"])
    served = client.get(f"/attachments/{attachment_id}")
    disposition = served.headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="oldfdp.exe.pdf"; filename*=UTF-8\'\'oldfdp.exe.pdf'
    )
    assert "sandbox" in served.headers["Content-Security-Policy"]


# -- image bombs -------------------------------------------------------------------------


def test_image_bomb_is_refused_from_its_header(db, settings, employer):
    bomb = bomb_png()
    assert len(bomb) < 400 * 1024  # small on disk
    started = time.perf_counter()
    with pytest.raises(DomainError) as caught:
        store(db, settings, employer["unit_id"], bomb, "扫描件.png")
    elapsed = time.perf_counter() - started
    assert caught.value.field == "file"
    assert caught.value.message == "图片像素过多（超过4000万像素），请缩小后再上传"
    assert elapsed < 2, elapsed
    with db() as session:
        assert session.scalars(select(Attachment)).all() == []
    assert stored_files(settings) == []


def test_image_bomb_costs_no_decoding_memory(tmp_path):
    """Peak memory of a fresh process checking the bomb (Pillow allocates pixels in C,
    which tracemalloc does not see): decoding it adds 85 MB (measured with the limit
    lifted); the header check adds nothing."""
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb_png())
    script = (
        "import resource, sys\n"
        "from casework import uploads\n"
        "bomb = open(sys.argv[1], 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    uploads.check_upload(bomb, 10 << 20)\n"
        "    print('accepted')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script, str(path)], cwd=root,
                          capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    outcome, grown_kb = done.stdout.split()
    assert outcome != "accepted", done.stdout
    assert int(grown_kb) < 10 * 1024, f"peak memory grew by {int(grown_kb) // 1024} MB"


def test_pillow_guard_is_set_too(png_bytes):
    from PIL import Image

    uploads.check_upload(png_bytes, TEN_MB)
    assert Image.MAX_IMAGE_PIXELS == uploads.MAX_IMAGE_PIXELS == 40_000_000


def test_image_just_under_the_limit_is_accepted():
    assert uploads.check_upload(bomb_png(6300), TEN_MB) == uploads.PNG  # 39.7 megapixels


def test_image_bomb_through_the_api_is_a_chinese_400(app, employer):
    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(client, employer['login'])}"}
    response = client.post(
        "/api/v1/unit/attachments",
        headers=headers,
        data={"file": (BytesIO(bomb_png()), "bomb.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.get_json()["fields"]["file"].startswith("图片像素过多")


# -- names -------------------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("given", "mime", "kept"),
    [
        ("invoice\u202efdp.exe", uploads.PDF, "invoicefdp.exe.pdf"),
        ("invoice\u202egpj.exe", uploads.JPEG, "invoicegpj.exe.jpg"),
        (f"合{BIDI}同.pdf", uploads.PDF, "合同.pdf"),
        ("a\x00b\nc\u2028d\u200be.pdf", uploads.PDF, "abcde.pdf"),
        ("照片.JPEG", uploads.JPEG, "照片.JPEG"),
        ("看似.pdf", uploads.PNG, "看似.pdf.png"),
        ("无扩展名", uploads.PNG, "无扩展名.png"),
        ("\u202e", uploads.PDF, "附件.pdf"),
        ("..\\..\\evil\u202e.pdf", uploads.PDF, "evil.pdf"),
        ("x" * 300 + ".exe", uploads.PDF, "x" * 190 + ".pdf"),
    ],
    ids=["rlo-pdf", "rlo-jpeg", "all-bidi", "controls", "jpeg-ext", "png-named-pdf",
         "no-ext", "only-rlo", "path", "long"],  # fmt: skip
)
def test_names_lose_controls_and_match_content(given, mime, kept):
    assert uploads.safe_name(given, mime) == kept
    assert not set(BIDI) & set(uploads.safe_name(given, mime))


def test_rlo_name_is_stored_shown_and_served_with_the_content_extension(
    app, client, db, settings, employer, pdf_bytes
):
    attachment_id, _sha, _mime, name = store(
        db, settings, employer["unit_id"], pdf_bytes, "invoice\u202efdp.exe"
    )
    assert name == "invoicefdp.exe.pdf"
    login(client, employer["login"])
    served = client.get(f"/attachments/{attachment_id}")
    assert served.headers["Content-Disposition"] == (
        "attachment; filename=\"invoicefdp.exe.pdf\"; filename*=UTF-8''invoicefdp.exe.pdf"
    )


def test_images_open_inline_unless_downloaded(app, client, db, settings, employer, png_bytes):
    attachment_id, *_ = store(db, settings, employer["unit_id"], png_bytes, "残疾证 正面.png")
    login(client, employer["login"])
    shown = client.get(f"/attachments/{attachment_id}")
    assert shown.headers["Content-Disposition"] == (
        "inline; filename=\"attachment.png\"; "
        "filename*=UTF-8''%E6%AE%8B%E7%96%BE%E8%AF%81%20%E6%AD%A3%E9%9D%A2.png"
    )
    assert shown.data == png_bytes and shown.mimetype == "image/png"
    downloaded = client.get(f"/attachments/{attachment_id}?download=1")
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")
