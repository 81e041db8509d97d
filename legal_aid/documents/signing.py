"""
The organisation's signature on every advocacy PDF (PAdES, with pyHanko), so that a recipient can
check who sent a document and that not one byte changed since.

The key and its certificate are PEM files named by SHIMTEO_SIGNING_KEY and SHIMTEO_SIGNING_CERT
(`manage.py generate_signing_key` makes both). Production refuses to start without them
(`LegalAidConfig.ready` calls `check_configuration`); development generates a self-signed pair once, next to its other keys.
After a rotation the old certificates stay listed in SHIMTEO_SIGNING_OLD_CERTS, so documents signed
before still verify here.

The signature is the last step of rendering: it is an incremental update over the finished
(tagged, post-processed) PDF, and the signed bytes are what is stored and hashed. The stored
SHA-256 therefore covers the signature, and the signature covers every byte before it.
"""

import asyncio
import concurrent.futures
import dataclasses
import datetime
import fcntl
import functools
import io
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FIELD_NAME = "ShimteoSignature"
CERT_YEARS = 3


class SignatureInvalid(ValueError):
    """The PDF carries no signature of ours, or one that does not hold."""


@dataclasses.dataclass(frozen=True)
class Verification:
    """What `verify_pdf` found: each a plain fact a recipient can be told."""

    signed_by: str
    signed_at: datetime.datetime | None
    intact: bool
    trusted: bool
    covers_whole_file: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.trusted and self.covers_whole_file


def generate_pair(*, organisation: str, years: int = CERT_YEARS) -> tuple[bytes, bytes]:
    """A new P-256 signing key and a self-signed certificate for `organisation`, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def write_pair(directory: Path, *, organisation: str) -> tuple[Path, Path]:
    """Write a new pair into `directory` (key readable by its owner only); never overwrites."""
    directory.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = directory / "signing-key.pem", directory / "signing-cert.pem"
    if key_path.exists() or cert_path.exists():
        raise FileExistsError(f"{directory} already holds a signing key or certificate.")
    key_pem, cert_pem = generate_pair(organisation=organisation)
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path


def _development_pair() -> tuple[Path, Path]:
    """Development's pair, generated once (under a lock: two processes may start at once)."""
    directory = Path(settings.SHIMTEO_SIGNING_DEV_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key_path, cert_path = directory / "signing-key.pem", directory / "signing-cert.pem"
        if not key_path.exists():
            write_pair(directory, organisation="Shimteo development (not for real documents)")
    return key_path, cert_path


def key_paths() -> tuple[Path, Path]:
    """The signing key's and certificate's paths; ImproperlyConfigured when production lacks them."""
    key, cert = settings.SHIMTEO_SIGNING_KEY, settings.SHIMTEO_SIGNING_CERT
    if not key and not cert and settings.SHIMTEO_ENV != "production":
        return _development_pair()
    if not key or not cert:
        raise ImproperlyConfigured(
            "Set SHIMTEO_SIGNING_KEY and SHIMTEO_SIGNING_CERT to the PEM files of the "
            "organisation's document-signing key and certificate (`python manage.py "
            "generate_signing_key DIRECTORY` makes a pair): every advocacy PDF is signed."
        )
    paths = Path(key), Path(cert)
    for path in paths:
        if not path.is_file():
            raise ImproperlyConfigured(f"The signing key or certificate {path} does not exist.")
    return paths


def check_configuration() -> None:
    """
    At start-up (production): the key and certificate exist, parse, and belong together.
    ImproperlyConfigured otherwise. Uses `cryptography` only: pyHanko takes seconds to import,
    which a starting web worker should not spend before its first request.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key_path, cert_path = key_paths()
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "SHIMTEO_SIGNING_KEY and SHIMTEO_SIGNING_CERT must be an unencrypted PEM private key "
            f"and a PEM certificate ({type(error).__name__})."
        ) from error
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    if key.public_key().public_bytes(encoding, public) != cert.public_key().public_bytes(
        encoding, public
    ):
        raise ImproperlyConfigured(
            "SHIMTEO_SIGNING_CERT is not the certificate of SHIMTEO_SIGNING_KEY."
        )


@functools.cache
def get_signer():
    """The loaded signer (cached: reading the key once per process)."""
    from pyhanko.sign import signers

    key_path, cert_path = key_paths()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:
        raise ImproperlyConfigured(
            "SHIMTEO_SIGNING_KEY and SHIMTEO_SIGNING_CERT could not be read as an unencrypted "
            "PEM key and its certificate."
        )
    return signer


def reset_signer() -> None:
    """Forget the loaded key, so changed settings take effect (tests, rotation)."""
    get_signer.cache_clear()


def _outside_event_loop(function):
    """
    `function()`, in a thread of its own when this one runs an asyncio event loop: pyHanko's
    synchronous calls use asyncio.run(), which refuses to start inside a running loop (an async
    server, or a test driving a browser in the same thread).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def sign_pdf(pdf: bytes) -> bytes:
    """`pdf` with the organisation's PAdES signature over all of it (no visible widget)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    signer = get_signer()
    out = _outside_event_loop(lambda: signers.sign_pdf(writer, metadata, signer=signer))
    return out.getvalue()


def _trusted_certificates() -> list:
    from pyhanko.keys import load_cert_from_pemder

    paths = [key_paths()[1]]
    paths += [Path(p.strip()) for p in settings.SHIMTEO_SIGNING_OLD_CERTS.split(",") if p.strip()]
    return [load_cert_from_pemder(str(path)) for path in paths]


def verify_pdf(pdf: bytes, *, trusted_certs: list[Path] | None = None) -> Verification:
    """
    Check the signature of `pdf` against our certificates (or `trusted_certs`): SignatureInvalid
    when there is none to check; otherwise what holds.
    """
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError) as error:
        raise SignatureInvalid(f"Not a readable PDF ({type(error).__name__}).") from error
    if not signatures:
        raise SignatureInvalid("The PDF carries no signature.")
    if trusted_certs:
        roots = [load_cert_from_pemder(str(path)) for path in trusted_certs]
    else:
        roots = _trusted_certificates()
    # Offline: the certificate is self-signed or the organisation's own, with no revocation service.
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    signature = signatures[-1]
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(signature, context))
    except (SignatureValidationError, ValueError) as error:
        raise SignatureInvalid(f"The signature cannot be checked ({error}).") from error
    return Verification(
        signed_by=status.signing_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )
