"""Image captcha whose answer never leaves the server in clear.

A challenge is a random nonce, the time it was issued and HMAC(secret, nonce + answer);
the web layer keeps it in the signed session cookie (readable by the client, hence only
the HMAC) or, for API clients without a cookie, signs it into an opaque `captcha_id`.
A challenge is good for one check, right or wrong.

Limitation of the cookie-less API flow: the record of used `captcha_id`s is kept in the
memory of each web process (`UsedNonces`), so with several processes an id could be
tried once per process within its lifetime (5 minutes). Clients that send the session
cookie back are also checked against the session, which has no such gap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from io import BytesIO

from itsdangerous import BadSignature, URLSafeSerializer

from domain.errors import DomainError

# No 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G: letters that read alike in a noisy image.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
LENGTH = 4
TTL_SECONDS = 300
FIELD = "captcha"


class CaptchaError(DomainError):
    pass


def now() -> float:
    """Seconds since the epoch (a function so that tests can move it)."""
    return time.time()


def random_text(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def render_png(text: str) -> bytes:
    from captcha.image import ImageCaptcha

    image = ImageCaptcha(width=120, height=44, font_sizes=(30, 34, 36))
    data: BytesIO = image.generate(text, format="png")
    return data.getvalue()


def _normalize(answer: str) -> str:
    return (answer or "").strip().upper()


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
        raise CaptchaError("验证码已失效，请点击图片刷新后重新输入", FIELD)
    moment = now() if at is None else at
    if moment - challenge.issued_at > ttl or moment < challenge.issued_at - 60:
        raise CaptchaError("验证码已过期，请点击图片刷新后重新输入", FIELD)
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
    try:
        return Challenge.from_dict(_serializer(secret).loads(captcha_id or ""))
    except BadSignature:
        return None


class UsedNonces:
    """Nonces already checked, kept until they would have expired anyway (one process)."""

    def __init__(self, ttl: float = TTL_SECONDS + 60) -> None:
        self.ttl = ttl
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, nonce: str, at: float | None = None) -> bool:
        """True the first time a nonce is claimed, False afterwards."""
        moment = now() if at is None else at
        with self._lock:
            for key in [k for k, exp in self._seen.items() if exp < moment]:
                del self._seen[key]
            if nonce in self._seen:
                return False
            self._seen[nonce] = moment + self.ttl
            return True


used_nonces = UsedNonces()
