"""An app on SQLite in a temporary directory, with a fixed captcha answer, and helpers to
create units and accounts and to sign in through the real login page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from casework import accounts
from casework import units as unit_service
from casework.settings import Settings
from domain.credit_code import make_credit_code

PASSWORD = "Passw0rd2025"
CAPTCHA = "AB12"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def credit_code(n: int, region: str = "210302") -> str:
    return make_credit_code(f"91{region}{n:09d}")


def unit_fields(**overrides) -> dict:
    """A complete, valid 单位基本信息 form."""
    data = {
        "name": "鞍山示范科技有限公司",
        "tax_number": "",
        "nature": "企业",
        "economic_type": "私营有限责任公司",
        "industry": "制造业",
        "cdpf_region": "210302",
        "tax_region": "210302",
        "admin_region": "210302",
        "legal_name": "张示范",
        "legal_id_number": "11010519491231002X",
        "legal_phone": "13800000000",
        "org_code": "12345678-8",
        "phone": "0412-5859923",
        "staff_last_year": "120",
        "contact_name": "李经办",
        "contact_phone": "13900000000",
        "business_address": "辽宁省鞍山市铁东区二一九路1号",
        "registered_address": "辽宁省鞍山市铁东区二一九路1号",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_app(tmp_path):
    """Build an app (several per test are possible, e.g. with other config)."""
    from webapp import create_app

    built = []

    def build(**config):
        settings = Settings(
            var_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path}/t.db",
            job_runner="manual",
            simulator_url="http://127.0.0.1:9",
        )
        test_config = {
            "TESTING": True,
            "CREATE_SCHEMA": True,
            "CAPTCHA_TEXT": lambda: CAPTCHA,
            "RATELIMIT_ENABLED": True,
            **config,
        }
        app = create_app(settings, test_config=test_config)
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["quotacert"].close()


@contextmanager
def employer_app(tmp_path, database_url: str, redis_url: str = "") -> Iterator[tuple]:
    """An app on `database_url` (and Redis when given) with one employer account:
    yields (app, login). For the tests that repeat a flow on PostgreSQL or Redis."""
    from webapp import create_app

    settings = Settings(
        var_dir=tmp_path,
        database_url=database_url,
        redis_url=redis_url,
        job_runner="manual",
        simulator_url="http://127.0.0.1:9",
    )
    app = create_app(
        settings,
        test_config={"TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: CAPTCHA},
    )
    try:
        with app.extensions["quotacert"].transaction() as session:
            unit = unit_service.create_unit(
                session, credit_code(1), "鞍山示范科技有限公司", "210302"
            )
            accounts.create_user(
                session, unit.credit_code, PASSWORD, "employer", "210302", unit.id
            )
        yield app, unit.credit_code
    finally:
        app.extensions["quotacert"].close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    """`with db() as session:` — a session committed at the end of the block."""

    @contextmanager
    def open_session() -> Iterator:
        with app.extensions["quotacert"].transaction() as session:
            yield session

    return open_session


@pytest.fixture
def settings(app):
    return app.extensions["quotacert"].settings


@pytest.fixture
def employer(db):
    """An employer unit in 鞍山市铁东区 with its account; returns (unit_id, login)."""
    with db() as session:
        unit = unit_service.create_unit(session, credit_code(1), "鞍山示范科技有限公司", "210302")
        for key, value in unit_fields().items():
            if key not in ("name", "cdpf_region"):
                setattr(unit, key, int(value) if key == "staff_last_year" else value)
        user = accounts.create_user(
            session, unit.credit_code, PASSWORD, "employer", "210302", unit.id, "李经办"
        )
        return {"unit_id": unit.id, "login": unit.credit_code, "user_id": user.id}


@pytest.fixture
def other_employer(db):
    """A second unit, in 浙江省杭州市西湖区."""
    with db() as session:
        unit = unit_service.create_unit(
            session, credit_code(2, "330106"), "杭州另一家公司", "330106"
        )
        user = accounts.create_user(
            session, unit.credit_code, PASSWORD, "employer", "330106", unit.id
        )
        return {"unit_id": unit.id, "login": unit.credit_code, "user_id": user.id}


@pytest.fixture
def staff(db):
    """Reviewers: one for 鞍山市 (city), one for 浙江省 (province)."""
    with db() as session:
        accounts.create_user(
            session, "as_reviewer", PASSWORD, "reviewer", "210300", None, "鞍山审核员"
        )
        accounts.create_user(
            session, "zj_reviewer", PASSWORD, "reviewer", "330000", None, "浙江审核员"
        )
    return {"anshan": "as_reviewer", "zhejiang": "zj_reviewer"}


def csrf_from(client, url: str) -> str:
    page = client.get(url)
    found = CSRF_RE.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def login(
    client,
    login_name: str,
    password: str = PASSWORD,
    *,
    staff: bool = False,
    captcha: str = CAPTCHA,
):
    """Sign in through the page: load it, load the captcha image, post the form."""
    url = "/login?tab=staff" if staff else "/login"
    token = csrf_from(client, url)
    assert client.get("/captcha.png").status_code == 200
    return client.post(
        url,
        data={"csrf_token": token, "login": login_name, "password": password, "captcha": captcha},
    )


def api_token(client, login_name: str, password: str = PASSWORD) -> str:
    captcha = client.get("/api/v1/auth/captcha").get_json()
    response = client.post(
        "/api/v1/auth/login",
        json={
            "login": login_name,
            "password": password,
            "captcha_id": captcha["captcha_id"],
            "captcha": CAPTCHA,
        },
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


# --- file fixtures -----------------------------------------------------------------------


def _image(fmt: str, size=(64, 48)) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (31, 90, 166)).save(buffer, format=fmt)
    return buffer.getvalue()


def _pdf(pages: int = 2, password: str | None = None) -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def jpeg_bytes() -> bytes:
    return _image("JPEG")


@pytest.fixture
def png_bytes() -> bytes:
    return _image("PNG")


@pytest.fixture
def pdf_bytes() -> bytes:
    return _pdf()


@pytest.fixture
def encrypted_pdf_bytes() -> bytes:
    return _pdf(password="secret")
