"""Captcha whose answer never leaves the server in clear, good for one attempt.

A challenge is a random nonce, the time it was issued and HMAC(secret, nonce + answer).
The page login keeps it in the server-side session; API clients get it signed into an
opaque `captcha_id`. Either way the nonce is claimed in a store shared by every process
(`used_captcha` in the database, or Redis) at its first check, right or wrong, so neither
a replayed session cookie nor a resent `captcha_id` buys a second password attempt.

Two kinds: an image of 4 large glyphs from an alphabet without look-alike pairs, and, as
the accessible alternative, an arithmetic question given as text ("7 加 5 等于几？").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from typing import Protocol

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.models import UsedCaptcha
from domain.errors import DomainError

# No 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V, 9/P: glyphs that read alike once warped.
ALPHABET = "ACEFHJKMNPRTWXY347"
LENGTH = 4
TTL_SECONDS = 300
FIELD = "captcha"
KINDS = ("image", "arithmetic")
IMAGE_SIZE = (160, 60)


class CaptchaError(DomainError):
    pass


def now() -> float:
    """Seconds since the epoch; the web layer passes the engine clock's instead."""
    return time.time()


def random_text(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def random_operands() -> tuple[int, int]:
    """Two numbers from 1 to 9 (the question is always an addition: easy to say and do)."""
    return secrets.randbelow(9) + 1, secrets.randbelow(9) + 1


def arithmetic_question(a: int, b: int) -> tuple[str, str]:
    """The question as text and its answer."""
    return f"{a} 加 {b} 等于几？", str(a + b)


def _image_captcha():
    """The `captcha` package's generator, tuned for legibility: larger glyphs side by side
    (no overlap, no inserted gaps), less rotation and warp, glyphs painted opaque (the stock
    mask is the glyph colour's lightness, which turns dark glyphs pale), a few small dots
    and one thin curve instead of 30 thick dots."""
    from captcha.image import ImageCaptcha
    from PIL import Image
    from PIL.ImageDraw import Draw

    class LegibleCaptcha(ImageCaptcha):
        character_rotate = (-12, 12)
        character_warp_dx = (0.05, 0.12)
        character_warp_dy = (0.05, 0.12)
        character_offset_dy = (0, 3)

        def create_captcha_image(self, chars, color, background):
            image = Image.new("RGB", (self._width, self._height), background)
            draw = Draw(image)
            glyphs = [self._draw_character(c, draw, color) for c in chars]
            total = sum(g.size[0] for g in glyphs)
            gap = max(2, (self._width - total) // (len(glyphs) + 1))
            canvas = Image.new("RGB", (max(self._width, total + gap * 5), self._height), background)
            offset = gap
            for glyph in glyphs:
                w, h = glyph.size
                canvas.paste(
                    glyph, (offset, max(0, (self._height - h) // 2)), glyph.getchannel("A")
                )
                offset += w + gap
            return (
                canvas.resize((self._width, self._height)) if canvas.size != image.size else canvas
            )

        @staticmethod
        def create_noise_dots(image, color, width=2, number=8):
            draw = Draw(image)
            w, h = image.size
            for _ in range(number):
                x, y = secrets.randbelow(w + 1), secrets.randbelow(h + 1)
                draw.line(((x, y), (x - 1, y - 1)), fill=color, width=width)
            return image

    width, height = IMAGE_SIZE
    return LegibleCaptcha(width=width, height=height, font_sizes=(42, 46))


def render_png(text: str) -> bytes:
    # Dark glyphs on a light background keep a high contrast whatever colour is drawn.
    fg = (20 + secrets.randbelow(60), 40 + secrets.randbelow(60), 90 + secrets.randbelow(80), 255)
    data: BytesIO = _image_captcha().generate(
        text, format="png", bg_color=(250, 250, 245), fg_color=fg
    )
    return data.getvalue()


def _normalize(answer: str) -> str:
    # NFKC: full-width digits and letters typed with a Chinese input method count too.
    return unicodedata.normalize("NFKC", answer or "").strip().upper()


def digest(secret: str | bytes, nonce: str, answer: str) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"captcha:{nonce}:{_normalize(answer)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Challenge:
    nonce: str
    digest: str
    issued_at: float

    def to_dict(self) -> dict:
        return {"n": self.nonce, "h": self.digest, "t": self.issued_at}

    @classmethod
    def from_dict(cls, raw: object) -> Challenge | None:
        if not isinstance(raw, dict):
            return None
        try:
            return cls(str(raw["n"]), str(raw["h"]), float(raw["t"]))
        except (KeyError, TypeError, ValueError):
            return None


def new_challenge(secret: str | bytes, text: str, issued_at: float | None = None) -> Challenge:
    nonce = secrets.token_urlsafe(16)
    return Challenge(nonce, digest(secret, nonce, text), now() if issued_at is None else issued_at)


def verify(
    secret: str | bytes,
    challenge: Challenge | None,
    answer: str,
    *,
    at: float | None = None,
    ttl: float = TTL_SECONDS,
) -> None:
    """Raise CaptchaError unless `answer` solves the (still fresh) challenge."""
    if challenge is None:
        raise CaptchaError("验证码已失效，请点击“换一张”后重新输入", FIELD)
    moment = now() if at is None else at
    if moment - challenge.issued_at > ttl or moment < challenge.issued_at - 60:
        raise CaptchaError("验证码已过期，请点击“换一张”后重新输入", FIELD)
    if not _normalize(answer):
        raise CaptchaError("请输入验证码", FIELD)
    expected = digest(secret, challenge.nonce, answer)
    if not hmac.compare_digest(expected, challenge.digest):
        raise CaptchaError("验证码错误", FIELD)


def _serializer(secret: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="quotacert-captcha")


def encode_id(secret: str | bytes, challenge: Challenge) -> str:
    """The opaque, signed `captcha_id` of the API flow."""
    return _serializer(secret).dumps(challenge.to_dict())


def decode_id(secret: str | bytes, captcha_id: str) -> Challenge | None:
    if not captcha_id or len(captcha_id) > 500:
        return None
    try:
        return Challenge.from_dict(_serializer(secret).loads(captcha_id))
    except BadSignature:
        return None


# --- used nonces, shared by every process ---------------------------------------------------


class NonceStore(Protocol):
    def claim(self, nonce: str, now: datetime) -> bool:
        """True the first time a nonce is claimed (by any process), False afterwards."""


def _keep_for() -> timedelta:
    # A claimed nonce only needs to outlive its challenge (plus the allowed clock skew).
    return timedelta(seconds=TTL_SECONDS + 120)


class DatabaseNonces:
    """`used_captcha` rows in the caller's session; the caller commits right away."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, nonce: str, now: datetime) -> bool:
        self.session.execute(delete(UsedCaptcha).where(UsedCaptcha.expires_at <= now))
        try:
            with self.session.begin_nested():
                self.session.add(UsedCaptcha(nonce=nonce[:64], expires_at=now + _keep_for()))
        except IntegrityError:
            return False
        return True


class RedisNonces:
    """One key per nonce, SET NX with an expiry: atomic across processes."""

    def __init__(self, client, prefix: str = "quotacert:captcha:") -> None:
        self.client, self.prefix = client, prefix

    def claim(self, nonce: str, now: datetime) -> bool:
        seconds = int(_keep_for().total_seconds())
        return bool(self.client.set(self.prefix + nonce[:64], "1", nx=True, ex=seconds))
