"""
Every stored advocacy PDF carries the organisation's signature: it verifies, with pyHanko's
validation and with `manage.py verify_document`, and one changed byte breaks it.
"""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from legal_aid.documents import signing
from legal_aid.models import AdvocacyDocument

from ..conftest import built_once
from ..factories import TeamFactory
from ..scenarios import case_with_one_member, persona
from .test_documents_render import pdf_of, render
from .test_documents_services import build_family, name_everyone

Kind = AdvocacyDocument.Kind


def _render_signed_brief() -> bytes:
    """alice's named brief about the family's child, rendered and signed as the app stores it."""
    alice = persona("alice")
    north_case = case_with_one_member(team=TeamFactory(name="North"), caseworker=alice)
    family = build_family(north_case, alice)
    name_everyone(north_case)
    document = render(
        Kind.CHILD_ACCESS_BRIEF, case=north_case, subject=family["child"], actor=alice
    )
    pdf = pdf_of(document)
    # The stored checksum is of the signed bytes: it covers the signature too.
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    return pdf


# Rendered once for the module (a render costs seconds of CPU): the tests only read the bytes,
# each altering its own copy.
_built_once, signed_pdf = built_once(_render_signed_brief, name="signed_pdf")


def test_a_rendered_document_is_signed_and_verifies(signed_pdf):
    """The signature is intact, made with our key and covers every byte of the stored file."""
    result = signing.verify_pdf(signed_pdf)
    assert result.intact is True
    assert result.trusted is True
    assert result.covers_whole_file is True
    assert "Shimteo development" in result.signed_by


def test_one_changed_byte_breaks_the_signature(signed_pdf):
    """A byte changed anywhere in the signed range makes the signature fail."""
    altered = bytearray(signed_pdf)
    altered[len(altered) // 3] ^= 0x01
    try:
        result = signing.verify_pdf(bytes(altered))
    except signing.SignatureInvalid:
        return
    assert result.ok is False
    assert result.intact is False


def test_an_appended_update_is_not_covered(signed_pdf):
    """Bytes added after the signature (an incremental edit) are reported as not covered."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Lang"] = generic.TextStringObject("fr")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    try:
        result = signing.verify_pdf(out.getvalue())
    except signing.SignatureInvalid:
        return
    assert result.ok is False


def test_verify_document_says_whether_the_signature_holds(signed_pdf, tmp_path, capsys):
    """The command names the signer and says yes to each check; on an altered file it fails."""
    good = tmp_path / "good.pdf"
    good.write_bytes(signed_pdf)
    call_command("verify_document", str(good))
    out = capsys.readouterr().out
    assert "Unaltered since signing: yes" in out and "The signature holds." in out

    altered = bytearray(signed_pdf)
    altered[len(altered) // 2] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(altered))
    with pytest.raises(CommandError):
        call_command("verify_document", str(bad))


def test_verify_document_refuses_a_certificate_that_did_not_sign(signed_pdf, tmp_path):
    """Trusting another organisation's certificate, our document does not pass as theirs."""
    signing.write_pair(tmp_path / "other", organisation="Someone else")
    path = tmp_path / "doc.pdf"
    path.write_bytes(signed_pdf)
    with pytest.raises(CommandError, match="does not hold"):
        call_command(
            "verify_document", str(path), "--cert", str(tmp_path / "other" / "signing-cert.pem")
        )


def test_an_unsigned_or_unreadable_file_is_refused(tmp_path):
    """A file with no signature, or no PDF at all, is an error with a reason, not a traceback."""
    path = tmp_path / "plain.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(CommandError):
        call_command("verify_document", str(path))


def test_production_refuses_to_start_without_a_signing_key(settings):
    """Production without SHIMTEO_SIGNING_KEY/_CERT fails with a message naming them."""
    from django.core.exceptions import ImproperlyConfigured

    settings.SHIMTEO_ENV = "production"
    settings.SHIMTEO_SIGNING_KEY = ""
    settings.SHIMTEO_SIGNING_CERT = ""
    signing.reset_signer()
    try:
        with pytest.raises(ImproperlyConfigured, match="SHIMTEO_SIGNING_KEY"):
            signing.check_configuration()
        with pytest.raises(ImproperlyConfigured, match="SHIMTEO_SIGNING_KEY"):
            signing.get_signer()
    finally:
        signing.reset_signer()


def test_a_certificate_of_another_key_is_refused(settings, tmp_path):
    """A key with someone else's certificate does not pass the start-up check."""
    from django.core.exceptions import ImproperlyConfigured

    ours = signing.write_pair(tmp_path / "ours", organisation="Ours")
    theirs = signing.write_pair(tmp_path / "theirs", organisation="Theirs")
    settings.SHIMTEO_SIGNING_KEY = str(ours[0])
    settings.SHIMTEO_SIGNING_CERT = str(theirs[1])
    with pytest.raises(ImproperlyConfigured, match="not the certificate"):
        signing.check_configuration()


def test_generate_signing_key_makes_a_pair_that_signs(settings, tmp_path):
    """The command's pair, named in the settings, signs a document that then verifies."""
    call_command("generate_signing_key", str(tmp_path), "--organisation", "Example NGO")
    assert oct((tmp_path / "signing-key.pem").stat().st_mode & 0o777) == "0o600"
    settings.SHIMTEO_SIGNING_KEY = str(tmp_path / "signing-key.pem")
    settings.SHIMTEO_SIGNING_CERT = str(tmp_path / "signing-cert.pem")
    signing.reset_signer()
    try:
        import weasyprint

        pdf = weasyprint.HTML(string="<p lang=en>Hello</p>").write_pdf()
        result = signing.verify_pdf(signing.sign_pdf(pdf))
        assert result.ok is True and "Example NGO" in result.signed_by
        with pytest.raises(CommandError):
            call_command("generate_signing_key", str(tmp_path), "--organisation", "Again")
    finally:
        signing.reset_signer()


def test_signing_works_inside_a_running_event_loop(signed_pdf):
    """Called from a thread that runs an asyncio loop (an async server, Playwright's sync API),
    signing and verifying still work."""
    import asyncio

    import weasyprint

    async def inside():
        pdf = weasyprint.HTML(string="<p lang=en>Hello</p>").write_pdf()
        return signing.verify_pdf(signing.sign_pdf(pdf))

    assert asyncio.run(inside()).ok is True
