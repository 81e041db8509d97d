"""
Backups: the whole PostgreSQL database (pg_dump, custom format) and the media files (still
encrypted with the field keys), sealed in one archive with the backup key (ops.archive).

The row counts, the audit chain's head and the dump are taken from one database snapshot, so the
manifest describes exactly what the dump holds. The manifest also carries the snapshot's head as a
checkpoint signed with the audit key, and the latest checkpoint beat signed (audit/checkpoint.py).
A restore authenticates the whole archive before it touches anything, restores only into an empty
database, then checks the counts and the audit chain against the manifest and both checkpoints,
and makes the snapshot's checkpoint the restored server's current one.
"""

import base64
import binascii
import datetime
import hashlib
import json
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from audit.chain import GENESIS, verify_chain
from audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    checkpoint_path,
    missing_since,
    now,
    read_checkpoint,
    write_checkpoint,
)
from audit.models import AuditEvent
from audit.services import record
from vault.keyring import get_keyring

from . import archive

logger = logging.getLogger(__name__)

FORMAT = "shimteo-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.pgdump"
MEDIA_PREFIX = "media/"
BLOCK_BYTES = 1024 * 1024
KEY_BYTES = 32


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the key ------------------------------------------------------------------------------------


def load_backup_key() -> bytes:
    """
    SHIMTEO_BACKUP_KEY (base64 of 32 bytes). Development generates one once into
    SHIMTEO_BACKUP_DEV_KEY_FILE; production refuses to run without it. A backup key equal to a
    field key is refused: one leaked secret must not open both the server and its backups.
    """
    encoded = settings.SHIMTEO_BACKUP_KEY
    if not encoded:
        if settings.SHIMTEO_ENV == "production":
            raise ImproperlyConfigured(
                "Set SHIMTEO_BACKUP_KEY (base64 of 32 random bytes) to make or restore backups."
            )
        encoded = _development_key(Path(settings.SHIMTEO_BACKUP_DEV_KEY_FILE))
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("SHIMTEO_BACKUP_KEY is not valid base64.") from error
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"SHIMTEO_BACKUP_KEY must decode to {KEY_BYTES} bytes.")
    if key in get_keyring().field_keys.values():
        raise ImproperlyConfigured("SHIMTEO_BACKUP_KEY must differ from every field key.")
    return key


def _development_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
        logger.warning("Generated a development backup key in %s.", path)
    return path.read_text().strip()


# --- PostgreSQL ---------------------------------------------------------------------------------


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            "Backups and restores work on PostgreSQL only; this database is "
            f"{connection.vendor}. Set DATABASE_URL to a PostgreSQL database."
        )


def _client_environment() -> dict[str, str]:
    """libpq variables for pg_dump and pg_restore: the password never appears in a process list."""
    database = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": database["NAME"]}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    # Django's connection options (e.g. the test database's session settings) are not the tools'.
    environment.pop("PGOPTIONS", None)
    return environment


def _psycopg_connection():
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params)


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _count_tables(cursor, tables) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _audit_head(cursor) -> dict:
    from psycopg import sql

    table = sql.Identifier(AuditEvent._meta.db_table)
    cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
    count = cursor.fetchone()[0]
    cursor.execute(
        sql.SQL("SELECT sequence, hash FROM {} ORDER BY sequence DESC LIMIT 1").format(table)
    )
    sequence, head = cursor.fetchone() or (0, GENESIS)
    # The snapshot's head, signed: a restore proves it holds the whole trail the backup saw.
    checkpoint = Checkpoint(sequence=sequence, count=count, head=head, created_at=now()).signed()
    return {"count": count, "head": head, "checkpoint": checkpoint.as_dict()}


def _last_checkpoint() -> dict | None:
    """Beat's latest checkpoint, carried so a restore can tell a trail cut before the backup."""
    try:
        checkpoint = read_checkpoint()
    except CheckpointError as error:
        # The backup is still made: losing it would not help. The restore reports no checkpoint.
        logger.critical("Backup without the audit checkpoint", extra={"problem": str(error)})
        return None
    return checkpoint.as_dict() if checkpoint else None


# --- media --------------------------------------------------------------------------------------


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files() -> list[Path]:
    root = _media_root()
    if not root.exists():
        return []
    # Temporary files of an interrupted key rotation are not part of the data.
    return sorted(
        path for path in root.rglob("*") if path.is_file() and not path.name.endswith(".rotating")
    )


def _file_blocks(path: Path):
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            yield block


def _safe_media_path(name: str) -> Path:
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"The backup names a file outside the media folder: {name!r}.")
    return _media_root().joinpath(*relative.parts)


# --- backup -------------------------------------------------------------------------------------


@dataclass
class BackupReport:
    path: Path
    manifest: dict
    size: int


def backup_create(*, output: Path, actor=None) -> BackupReport:
    """
    Write an encrypted backup to `output` (refusing to overwrite a file). Recorded in the audit
    trail before the snapshot is taken, so the backup holds its own record.
    """
    _require_postgresql()
    key = load_backup_key()
    output = Path(output)
    record(actor, "export", None, backup=True, format_version=FORMAT_VERSION)
    last_checkpoint = _last_checkpoint()
    tables = _tables()
    media = _media_files()
    partial = output.with_name(output.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle, _psycopg_connection() as snapshot:
            snapshot.isolation_level = _repeatable_read()
            snapshot.read_only = True
            with snapshot.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
                counts = _count_tables(cursor, tables)
                audit = {**_audit_head(cursor), "last_checkpoint": last_checkpoint}
                cursor.execute("SHOW server_version")
                server_version = cursor.fetchone()[0]
            writer = archive.ArchiveWriter(handle, key)
            dump = _add_dump(writer, snapshot_id)
            media_bytes = 0
            for path in media:
                relative = path.relative_to(_media_root()).as_posix()
                media_bytes += writer.add(MEDIA_PREFIX + relative, _file_blocks(path))
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "database": {"vendor": "postgresql", "server_version": server_version},
                "tables": counts,
                "audit": audit,
                "dump": dump,
                "media": {"files": len(media), "bytes": media_bytes},
            }
            writer.add(MANIFEST, [json.dumps(manifest, sort_keys=True).encode()])
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        if output.exists():
            raise BackupError(f"{output} exists; choose another name.")
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    logger.info(
        "Backup written",
        extra={"tables": len(counts), "media_files": len(media), "audit_events": audit["count"]},
    )
    return BackupReport(path=output, manifest=manifest, size=output.stat().st_size)


def _repeatable_read():
    from psycopg import IsolationLevel

    return IsolationLevel.REPEATABLE_READ


def _add_dump(writer: archive.ArchiveWriter, snapshot_id: str) -> dict:
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--snapshot={snapshot_id}",
    ]
    digest = hashlib.sha256()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_client_environment()
    )

    def blocks():
        while block := process.stdout.read(BLOCK_BYTES):
            digest.update(block)
            yield block

    try:
        size = writer.add(DUMP, blocks())
        errors = process.stderr.read()
    finally:
        process.stdout.close()
        returncode = process.wait()
    if returncode != 0:
        raise BackupError(
            f"pg_dump failed (exit {returncode}): {errors.decode(errors='replace').strip()}"
        )
    return {"bytes": size, "sha256": digest.hexdigest()}


# --- restore ------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    audit_events: int = 0
    audit_checkpoint: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)


def read_manifest(path: Path, key: bytes) -> tuple[dict, list[str]]:
    """Authenticate the whole archive (every byte); return its manifest and its media names."""
    manifest, dump_digest, media = None, hashlib.sha256(), []
    with Path(path).open("rb") as handle:
        for name, blocks in archive.read_entries(handle, key):
            if name == DUMP:
                for block in blocks:
                    dump_digest.update(block)
            elif name.startswith(MEDIA_PREFIX):
                _safe_media_path(name)
                media.append(name)
            elif name == MANIFEST:
                manifest = json.loads(b"".join(blocks))
    if not manifest or manifest.get("format") != FORMAT:
        raise BackupError("The backup has no manifest.")
    if manifest["format_version"] != FORMAT_VERSION:
        raise BackupError(f"Backup format version {manifest['format_version']} is not supported.")
    same_dump = manifest["dump"]["sha256"] == dump_digest.hexdigest()
    if not same_dump or manifest["media"]["files"] != len(media):
        raise BackupError("The backup's contents do not match its manifest.")
    return manifest, media


def database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'"
        )
        return cursor.fetchone()[0] == 0


def backup_restore(*, path: Path) -> RestoreReport:
    """
    Restore a backup into the configured database, which must be empty, and its media folder;
    then compare row counts and the audit chain with the manifest. Problems are returned in the
    report (and the caller fails); nothing is restored from an archive that does not authenticate.
    """
    _require_postgresql()
    key = load_backup_key()
    manifest, media = read_manifest(path, key)
    if not database_is_empty():
        raise BackupError(
            f"The database {connection.settings_dict['NAME']!r} is not empty: restore only into a "
            "new, empty database (createdb), then point DATABASE_URL at it."
        )
    for name in media:
        target = _safe_media_path(name)
        if target.exists():
            raise BackupError(
                f"The media folder already holds {target}; restore into an empty media folder."
            )
    connection.close()
    report = RestoreReport(manifest=manifest)
    with Path(path).open("rb") as handle:
        for name, blocks in archive.read_entries(handle, key):
            if name == DUMP:
                _pg_restore(blocks)
            elif name.startswith(MEDIA_PREFIX):
                target = _safe_media_path(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as output:
                    for block in blocks:
                        output.write(block)
                report.media_files += 1
    _verify(report)
    return report


def _pg_restore(blocks) -> None:
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--dbname",
        connection.settings_dict["NAME"],
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_client_environment(),
    )
    try:
        for block in blocks:
            process.stdin.write(block)
        process.stdin.close()
    except BrokenPipeError:
        pass  # pg_restore stopped early; its exit code and message say why
    errors = process.stderr.read()
    if process.wait() != 0:
        raise BackupError(f"pg_restore failed: {errors.decode(errors='replace').strip()}")


def _verify(report: RestoreReport) -> None:
    manifest = report.manifest
    with _psycopg_connection() as check, check.cursor() as cursor:
        counts = _count_tables(cursor, list(manifest["tables"]))
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(
                f"table {table}: {counts.get(table)} rows restored, {expected} in the backup"
            )
    report.tables, report.rows = len(counts), sum(counts.values())
    if report.media_files != manifest["media"]["files"]:
        report.problems.append("media files: count differs from the backup")
    chain = verify_chain()
    report.audit_events = chain.count
    if not chain.intact:
        report.problems.append(f"audit chain broken at event {chain.broken_at}: {chain.reason}")
    elif (chain.count, chain.head) != (manifest["audit"]["count"], manifest["audit"]["head"]):
        report.problems.append("audit chain: its head differs from the one in the backup")
    else:
        _verify_checkpoints(report, chain)


def _verify_checkpoints(report: RestoreReport, chain) -> None:
    """
    The backup's signed head must be the restored head, and the restored trail must still hold the
    head of beat's last checkpoint before the backup. Then the backup's head becomes the restored
    server's checkpoint; a checkpoint already there is kept aside, not overwritten.
    """
    audit = report.manifest["audit"]
    if "checkpoint" not in audit:
        return  # a backup made before checkpoints: its manifest's head was checked above
    try:
        snapshot = Checkpoint.from_dict(audit["checkpoint"])
        last = audit.get("last_checkpoint")
        last = Checkpoint.from_dict(last) if last is not None else None
    except CheckpointError as error:
        report.problems.append(f"audit checkpoint: {error}")
        return
    if (snapshot.sequence, snapshot.count, snapshot.head) != (
        chain.head_sequence,
        chain.count,
        chain.head,
    ):
        report.problems.append("audit chain: its head differs from the backup's signed checkpoint")
        return
    if last is not None and (missing := missing_since(last)):
        report.problems.append(f"audit chain lost its tail before the backup: {missing}")
        return
    report.audit_checkpoint = snapshot
    current = checkpoint_path()
    if current.exists():
        aside = current.with_name(f"{current.name}.before-restore-{now().replace(':', '')}")
        os.replace(current, aside)
        logger.warning("Audit checkpoint kept aside by a restore", extra={"path": str(aside)})
    write_checkpoint(snapshot)
