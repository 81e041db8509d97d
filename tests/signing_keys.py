"""A document-signing key and certificate for tests that start the app in production mode."""

from pathlib import Path


def signing_environment(directory: Path) -> dict[str, str]:
    """SHIMTEO_SIGNING_KEY/_CERT pointing at a pair made in `directory/signing` (once)."""
    from legal_aid.documents.signing import write_pair

    folder = directory / "signing"
    key, cert = folder / "signing-key.pem", folder / "signing-cert.pem"
    if not key.exists():
        key, cert = write_pair(folder, organisation="Example NGO")
    return {"SHIMTEO_SIGNING_KEY": str(key), "SHIMTEO_SIGNING_CERT": str(cert)}
