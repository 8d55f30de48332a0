"""电子签章: every 审核认定书 PDF carries a PAdES signature of the issuing office (002's
打印审核认定书(签章)), so any PDF reader shows who signed it and one changed byte breaks it.

pyHanko signs (the maintained Python PDF signer, PAdES baseline, incremental update so
the signed bytes are exactly the document ReportLab made). A real office configures its
key and certificate (`SIGNING_KEY_FILE`, `SIGNING_CERT_FILE`, PEM); without them a demo
key and a self-signed certificate are generated once under var/ (`demo-signing.pem`),
so the demo and the tests sign like production does. The demo certificate is valid for
a wide fixed period, not from "now": the engine clock may be set anywhere (the tests,
`quotacert clock set`), and a signature must not look premature at a clock in the past.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

log = logging.getLogger(__name__)

DEMO_FILE = "demo-signing.pem"
DEMO_ISSUER = "演示残疾人联合会（电子签章）"
DEMO_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
DEMO_VALID_TO = datetime(2099, 12, 31, tzinfo=UTC)
FIELD_NAME = "审核机构签章"


@dataclass(frozen=True)
class SigningIdentity:
    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate  # for a validator to trust (tests, `verify`)


def _demo_pem() -> bytes:
    """A fresh RSA key and a self-signed certificate for it, both PEM, in one file."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "演示残疾人联合会"),
        x509.NameAttribute(NameOID.COMMON_NAME, DEMO_ISSUER),
    ])  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(DEMO_VALID_FROM)
        .not_valid_after(DEMO_VALID_TO)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_cert_sign=True,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)


def ensure_demo_identity(var_dir: Path | str) -> Path:
    """The demo key + certificate file under `var_dir`, generated on first use. Two
    processes starting together end with the same file: each writes its own temporary
    file and links it into place only if none is there yet."""
    path = Path(var_dir) / DEMO_FILE
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_demo_pem())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
            log.info("generated a demo signing key and certificate: %s", path)
        except FileExistsError:
            pass
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _from_pem_bundle(path: Path) -> SigningIdentity:
    data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    cert = x509.load_pem_x509_certificate(data)
    asn1_cert = translate_pyca_cryptography_cert_to_asn1(cert)
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert, signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=None,
    )  # fmt: skip
    return SigningIdentity(signer, asn1_cert)


def identity(settings) -> SigningIdentity:
    """The office's signing identity: the configured files, else the demo one."""
    key_file = getattr(settings, "signing_key_file", "")
    cert_file = getattr(settings, "signing_cert_file", "")
    if key_file and cert_file:
        key = load_private_key_from_pemder(key_file, passphrase=None)
        cert = load_cert_from_pemder(cert_file)
        return SigningIdentity(
            signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=None), cert
        )
    return _from_pem_bundle(ensure_demo_identity(settings.var_dir))


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko stamps the signature with the machine's time; ours is the engine clock's."""

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._now
        return session


def sign_pdf(data: bytes, settings, now: datetime, *, reason: str, location: str) -> bytes:
    """`data` with a PAdES signature (an invisible field: every reader lists it in its
    signature panel) appended as an incremental update."""
    who = identity(settings)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    signed = _ClockedPdfSigner(meta, who.signer, now=now).sign_pdf(writer)
    return signed.getvalue()
