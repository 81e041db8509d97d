"""
Encrypted backups on PostgreSQL: a round trip into a fresh database proves the counts and the
audit chain; the file holds no plaintext; an altered file or a wrong key is refused.
"""

import base64
import contextlib
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.chain import verify_chain
from audit.checkpoint import Checkpoint, read_checkpoint, take_checkpoint
from audit.services import record
from casework.models import Attachment, Person
from ops.backup import backup_create, database_is_empty, load_backup_key, read_manifest
from tests.factories import CaseMemberFactory, PersonFactory

from ..audit.conftest import DISABLE as DISABLE_TRIGGER
from ..audit.conftest import ENABLE as ENABLE_TRIGGER
from ..conftest import require

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
NAMES = ["박영철 BACKUP-CANARY", "Ri Myong-suk Canary", "延吉市 河南街 carefully-hidden"]
CONTACT = "+86 139 1111 2222"
ATTACHMENT = b"%PDF-1.7 attachment that names BACKUP-CANARY-FILE"


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def backup_key(settings):
    settings.SHIMTEO_BACKUP_KEY = new_key()
    return settings.SHIMTEO_BACKUP_KEY


@pytest.fixture
def seeded(transactional_db, north_case, alice):
    """People with names, a contact and a place, an encrypted attachment, and audit events."""
    people = []
    for name in NAMES:
        person = PersonFactory(full_name=name, contact=CONTACT, current_location=NAMES[2])
        CaseMemberFactory(case=north_case, person=person)
        record(alice, "create", person)
        people.append(person)
    attachment = Attachment(
        case=north_case,
        person=people[0],
        uploaded_by=alice,
        original_name="BACKUP-CANARY-FILE.pdf",
        content_type="application/pdf",
        size=len(ATTACHMENT),
        sha256="0" * 64,
    )
    attachment.file.save("attachment.pdf", ContentFile(ATTACHMENT), save=False)
    attachment.save()
    return {"people": people, "attachment": attachment}


@contextlib.contextmanager
def default_connection_on(database_url):
    """This process's default connection on another database of the same server, then back."""
    reachable = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["NAME"] = database_url.rsplit("/", 1)[1]
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(reachable)


@pytest.fixture
def fresh_database():
    """An empty database next to the test database, dropped afterwards."""
    require(connection.vendor == "postgresql", "restores need PostgreSQL")
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    settings = connection.settings_dict
    environment = {**os.environ, "PGHOST": settings.get("HOST") or "127.0.0.1"}
    environment["PGPORT"] = str(settings.get("PORT") or 5432)
    environment["PGUSER"] = settings.get("USER") or "postgres"
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    subprocess.run(["createdb", name], env=environment, check=True, timeout=60)
    user, host, port = environment["PGUSER"], environment["PGHOST"], environment["PGPORT"]
    try:
        yield f"postgres://{user}@{host}:{port}/{name}"
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", name], env=environment, check=True, timeout=60
        )


def manage(*arguments, database_url, media_root, backup_key, **extra_environment):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SHIMTEO_ENV": "development",
        "SHIMTEO_MEDIA_ROOT": str(media_root),
        "SHIMTEO_BACKUP_KEY": backup_key,
        "SHIMTEO_LOG_FORMAT": "plain",
        **extra_environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - introspected names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_backup_restores_into_a_fresh_database_with_counts_and_audit_chain(
    seeded, backup_key, fresh_database, settings, tmp_path
):
    """
    The restore rebuilds every row and file; counts, the audit chain and its signed checkpoint
    match the backup, and the checkpoint becomes the restored server's.
    """
    take_checkpoint()
    output = tmp_path / "shimteo.backup"
    call_command("backup", output=str(output))
    counts, chain = table_counts(), verify_chain()
    media_files = sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())

    restored_media = tmp_path / "restored-media"
    restored_checkpoints = tmp_path / "restored-checkpoints"
    result = manage(
        "restore",
        str(output),
        database_url=fresh_database,
        media_root=restored_media,
        backup_key=backup_key,
        SHIMTEO_AUDIT_CHECKPOINT_DIR=str(restored_checkpoints),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "counts match the backup; audit chain intact" in result.stdout
    assert f"{chain.count} events, head {chain.head}" in result.stdout
    assert f"signed audit checkpoint (event #{chain.head_sequence}) verifies" in result.stdout
    restored_checkpoint = read_checkpoint(restored_checkpoints / "checkpoint.json")
    assert (restored_checkpoint.count, restored_checkpoint.head) == (chain.count, chain.head)

    # What the restoring process wrote, read back here (a Django start-up less than a process of
    # its own): same people, decryptable, same file, same trail.
    settings.MEDIA_ROOT = restored_media
    with default_connection_on(fresh_database):
        restored_names = {person.full_name for person in Person.objects.all()}
        with Attachment.objects.get().file.open("rb") as restored_file:
            assert restored_file.read() == ATTACHMENT
        assert verify_chain().head == chain.head
    assert set(NAMES) <= restored_names
    assert sorted(p.name for p in restored_media.rglob("*") if p.is_file()) == media_files
    assert counts[Person._meta.db_table] == Person.objects.count() >= len(NAMES)


def test_the_backup_carries_the_signed_checkpoints(seeded, backup_key, tmp_path):
    """The manifest holds beat's last checkpoint and the snapshot's head, both signed."""
    last = take_checkpoint()
    output = tmp_path / "shimteo.backup"
    report = backup_create(output=output)
    manifest, _ = read_manifest(output, load_backup_key())

    assert manifest == report.manifest
    assert Checkpoint.from_dict(manifest["audit"]["last_checkpoint"]) == last
    snapshot = Checkpoint.from_dict(manifest["audit"]["checkpoint"])
    chain = verify_chain()
    assert (snapshot.sequence, snapshot.count, snapshot.head) == (
        chain.head_sequence,
        chain.count,
        chain.head,
    )
    # The backup's own audit event is in the snapshot, after beat's checkpoint.
    assert snapshot.sequence > last.sequence


def test_a_trail_cut_before_the_backup_fails_the_restore(
    seeded, backup_key, fresh_database, settings, tmp_path, alice
):
    """Events removed before the backup, after beat's checkpoint, are named when restoring."""
    record(alice, "view", seeded["people"][0])
    last = take_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute(DISABLE_TRIGGER)
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [last.sequence])
        cursor.execute(ENABLE_TRIGGER)
    output = tmp_path / "shimteo.backup"
    backup_create(output=output)

    # The restore command in this process (a Django start-up less; the round trip above runs it
    # by manage.py), into the fresh database.
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    settings.SHIMTEO_AUDIT_CHECKPOINT_DIR = str(tmp_path / "restored-checkpoints")
    with default_connection_on(fresh_database), pytest.raises(CommandError) as refusal:
        call_command("restore", str(output))
    assert "lost its tail before the backup" in str(refusal.value)
    assert f"event #{last.sequence}, the head when the checkpoint" in str(refusal.value)
    assert not (tmp_path / "restored-checkpoints" / "checkpoint.json").exists()


def test_the_backup_file_holds_no_plaintext(seeded, backup_key, tmp_path):
    """No seeded name, contact, place or file content, and not even the pg_dump magic, is readable."""
    output = tmp_path / "shimteo.backup"
    backup_create(output=output)
    blob = output.read_bytes()
    assert len(blob) > 10_000
    needles = [*NAMES, CONTACT, "BACKUP-CANARY", "alice", "casework_person", "PGDMP", "%PDF"]
    for needle in needles:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert needle.encode(encoding) not in blob, (needle, encoding)
    assert oct(output.stat().st_mode & 0o777) == "0o600"


def test_a_tampered_backup_is_refused_and_nothing_is_restored(
    seeded, backup_key, fresh_database, settings, tmp_path
):
    """One flipped bit anywhere: the restore refuses before it writes a table or a file."""
    output = tmp_path / "shimteo.backup"
    backup_create(output=output)
    blob = bytearray(output.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(bytes(blob))
    restored_media = tmp_path / "restored-media"
    # The operator's command, in a process of its own: a message, not a traceback.
    result = manage(
        "restore",
        str(tampered),
        database_url=fresh_database,
        media_root=restored_media,
        backup_key=backup_key,
    )
    assert result.returncode != 0
    assert "failed authentication" in result.stderr
    assert "Traceback" not in result.stderr
    assert not restored_media.exists()

    # The same command in this process (a Django start-up less): the database stays empty, and a
    # cut file is refused too.
    settings.MEDIA_ROOT = restored_media
    with default_connection_on(fresh_database):
        assert database_is_empty()
        cut = tmp_path / "cut.backup"
        cut.write_bytes(output.read_bytes()[:-100])
        with pytest.raises(CommandError, match="truncated"):
            call_command("restore", str(cut))
        assert database_is_empty()
    assert not restored_media.exists()


def test_a_wrong_key_is_refused(seeded, backup_key, settings, tmp_path):
    """
    A backup opened with another key says so, and restores nothing. Run here, not by manage.py
    (the tampered backup's test runs that), against the test database: the key is checked first,
    so a restore that got past it would stop on "is not empty" instead.
    """
    output = tmp_path / "shimteo.backup"
    backup_create(output=output)
    settings.SHIMTEO_BACKUP_KEY = new_key()
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="another backup key"):
        call_command("restore", str(output))
    assert not (tmp_path / "restored-media").exists()


def test_a_restore_refuses_a_database_that_is_not_empty(seeded, backup_key, tmp_path):
    """Restoring over live data is refused: the test database already has tables."""
    output = tmp_path / "shimteo.backup"
    backup_create(output=output)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(output))


def test_a_backup_never_overwrites_a_file(seeded, backup_key, tmp_path):
    """An existing file is kept: a backup is never written over another one."""
    output = tmp_path / "shimteo.backup"
    output.write_bytes(b"older backup")
    with pytest.raises(CommandError):
        call_command("backup", output=str(output))
    assert output.read_bytes() == b"older backup"


def test_the_backup_key_must_differ_from_the_field_keys(settings, db, tmp_path):
    """Reusing a field key as the backup key is refused."""
    from django.core.exceptions import ImproperlyConfigured

    from ops.backup import load_backup_key
    from vault.keyring import get_keyring

    keyring = get_keyring()
    settings.SHIMTEO_BACKUP_KEY = base64.b64encode(keyring.primary_key).decode()
    with pytest.raises(ImproperlyConfigured, match="differ"):
        load_backup_key()
