"""Backups that restore: a consistent database snapshot plus the files, with a manifest.

A backup folder holds
- `database.pgdump` (PostgreSQL, `pg_dump -Fc` taken on an exported snapshot) or
  `database.sqlite3` (SQLite's online backup API, so a running server may keep writing);
- `files/<set>/...`: media, recordings and the claims outbox, copied after the snapshot;
- `manifest.json`, written last (a folder without it is an unfinished backup): the engine,
  the migrations applied, the row count of every table *in the snapshot* (PostgreSQL counts
  them inside the transaction pg_dump reads), and the size and SHA-256 of every file.
With TELEPT_BACKUP_KEY (a Fernet key) every file is encrypted (`.enc`, see `_encrypt_file`)
and the manifest becomes `manifest.json.enc`; the hashes are of the plain content, so
the restore checks what it decrypted.

Files are copied after the snapshot: a file written meanwhile is in the backup without a row
(the worker's recordings sweep removes such orphans), one deleted meanwhile is missing
(recordings are written once, so that is a deletion racing the backup).

`restore` goes into an EMPTY database and empty file folders only, checks every hash before
touching anything, and compares the restored row counts with the manifest's. Triggers (the
audit trail's append-only rule, signed-note locks, double-booking guards) are part of the
schema dump and come back with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connections
from django.utils import timezone

from telept.lib.errors import DomainError

FORMAT = 1
CHUNK = 8 * 1024 * 1024  # encrypted in chunks: a 50 MB recording never sits in memory whole
MAGIC = b"TELEPT-BACKUP-FERNET-1\n"
MANIFEST = "manifest.json"


class BackupError(DomainError):
    pass


def file_sets() -> dict[str, Path]:
    """The folders a backup carries, by name in the backup."""
    outbox = getattr(settings, "BILLING_CLAIMS_OUTBOX", None) or settings.VAR_DIR / "claims-outbox"
    return {"media": Path(settings.MEDIA_ROOT), "recordings": Path(settings.RECORDINGS_ROOT),
            "claims-outbox": Path(outbox)}


# --- encryption -------------------------------------------------------------------------

def _fernet(required: bool = False) -> Any | None:
    key = os.environ.get("TELEPT_BACKUP_KEY", "")
    key_file = os.environ.get("TELEPT_BACKUP_KEY_FILE", "")
    if key_file:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    if not key:
        if required:
            raise BackupError("backup_key_missing", "This backup is encrypted: set "
                              "TELEPT_BACKUP_KEY (or TELEPT_BACKUP_KEY_FILE) to its key.")
        return None
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise BackupError("backup_key_invalid", "TELEPT_BACKUP_KEY is not a Fernet key (make "
                          "one with `python -c 'from cryptography.fernet import Fernet; "
                          "print(Fernet.generate_key().decode())'`).") from exc


def _encrypt_file(fernet: Any, source: Path, target: Path) -> None:
    """MAGIC, then 4-byte big-endian length + Fernet token per chunk (each authenticated;
    order and completeness are checked by the plain SHA-256 in the encrypted manifest)."""
    with source.open("rb") as plain, _private_open(target) as out:
        out.write(MAGIC)
        for chunk in iter(lambda: plain.read(CHUNK), b""):
            token = fernet.encrypt(chunk)
            out.write(len(token).to_bytes(4, "big"))
            out.write(token)


def _decrypt_chunks(fernet: Any, source: Path) -> Iterator[bytes]:
    from cryptography.fernet import InvalidToken

    with source.open("rb") as data:
        if data.read(len(MAGIC)) != MAGIC:
            raise BackupError("backup_corrupt", f"{source.name} is not an encrypted backup file.")
        while header := data.read(4):
            token = data.read(int.from_bytes(header, "big"))
            try:
                yield fernet.decrypt(token)
            except InvalidToken as exc:
                raise BackupError("backup_key_wrong", f"{source.name} does not decrypt with "
                                  "this TELEPT_BACKUP_KEY (wrong key, or the file was "
                                  "altered).") from exc


def _plain_chunks(source: Path) -> Iterator[bytes]:
    with source.open("rb") as data:
        yield from iter(lambda: data.read(CHUNK), b"")


def _private_open(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- database ---------------------------------------------------------------------------

def _pg_env_and_dsn(settings_dict: dict[str, Any]) -> tuple[dict[str, str], str]:
    """libpq keywords for pg_dump/pg_restore; the password goes in the environment, not argv."""
    env = dict(os.environ)
    parts = {"dbname": settings_dict["NAME"], "host": settings_dict.get("HOST") or "",
             "port": str(settings_dict.get("PORT") or ""), "user": settings_dict.get("USER") or ""}
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"}:
            parts[key] = str(value)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    dsn = " ".join(f"{k}='{_pg_quote(v)}'" for k, v in parts.items() if v)
    return env, dsn


def _pg_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError("pg_tools_missing", f"{name} is not installed: apt-get install "
                          "postgresql-client-15 (the same major version as the server).")
    return found


def _pg_snapshot(alias: str, target: Path) -> dict[str, int]:
    """pg_dump on an exported snapshot, and the row count of every table in that snapshot."""
    import psycopg
    from psycopg import sql

    settings_dict = connections[alias].settings_dict
    env, dsn = _pg_env_and_dsn(settings_dict)
    with psycopg.connect(dsn, password=settings_dict.get("PASSWORD") or None) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        counts = {table: int(conn.execute(  # type: ignore[index]
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0])
            for table in tables}
        result = subprocess.run(  # noqa: S603 - pg_dump from PATH, arguments are ours
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={target}", f"--dbname={dsn}"],
            env=env, capture_output=True, text=True, check=False)
        conn.rollback()
    if result.returncode != 0:
        raise BackupError("pg_dump_failed", f"pg_dump failed: {result.stderr.strip()[:500]}")
    os.chmod(target, 0o600)
    return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return {table: int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608 - names from sqlite_master
                for table in tables}


def _sqlite_snapshot(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    connection.ensure_connection()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    with sqlite3.connect(target) as dest:
        connection.connection.backup(dest)  # online backup API: a consistent copy
    dest.close()
    return _sqlite_counts(target)


def _applied_migrations(alias: str) -> list[str]:
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# --- backup -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupResult:
    folder: Path
    tables: int
    rows: int
    files: int
    encrypted: bool


def backup_create(*, folder: Path, alias: str = "default") -> BackupResult:
    """Write a backup into `folder`, which must not exist yet or be empty."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError("backup_folder_not_empty",
                          f"{folder} is not empty: give a new folder for each backup.")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fernet = _fernet()
    vendor = connections[alias].vendor
    with tempfile.TemporaryDirectory(prefix="telept-backup-") as scratch:
        scratch_dir = Path(scratch)
        if vendor == "postgresql":
            db_name = "database.pgdump"
            counts = _pg_snapshot(alias, scratch_dir / db_name)
        elif vendor == "sqlite":
            db_name = "database.sqlite3"
            counts = _sqlite_snapshot(alias, scratch_dir / db_name)
        else:
            raise BackupError("backup_engine", f"No backup for the {vendor} database engine.")
        migrations = _applied_migrations(alias)
        files: dict[str, dict[str, Any]] = {}
        _store(fernet, scratch_dir / db_name, folder, db_name, files)
        for set_name, root in file_sets().items():
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                relative = f"files/{set_name}/{path.relative_to(root).as_posix()}"
                _store(fernet, path, folder, relative, files)
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "engine": vendor,
                "database_file": db_name, "encrypted": fernet is not None,
                "migrations": migrations, "row_counts": counts, "files": files}
    text = json.dumps(manifest, indent=1, sort_keys=True).encode()
    name = MANIFEST + (".enc" if fernet else "")
    partial = folder / (name + ".partial")
    with _private_open(partial) as out:
        out.write(fernet.encrypt(text) if fernet else text)
    partial.rename(folder / name)  # last: a folder without a manifest is unfinished
    return BackupResult(folder=folder, tables=len(counts), rows=sum(counts.values()),
                        files=len(files) - 1, encrypted=fernet is not None)


def _store(fernet: Any | None, source: Path, folder: Path, relative: str,
           files: dict[str, dict[str, Any]]) -> None:
    target = folder / (relative + (".enc" if fernet else ""))
    if fernet is not None:
        _encrypt_file(fernet, source, target)
    else:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with source.open("rb") as data, _private_open(target) as out:
            shutil.copyfileobj(data, out, CHUNK)
    files[relative] = {"sha256": _sha256(source), "size": source.stat().st_size}


# --- restore ----------------------------------------------------------------------------

def manifest_read(folder: Path) -> dict[str, Any]:
    folder = Path(folder)
    if (folder / (MANIFEST + ".enc")).is_file():
        fernet = _fernet(required=True)
        from cryptography.fernet import InvalidToken

        try:
            text = fernet.decrypt((folder / (MANIFEST + ".enc")).read_bytes())  # type: ignore[union-attr]
        except InvalidToken as exc:
            raise BackupError("backup_key_wrong", "The manifest does not decrypt with this "
                              "TELEPT_BACKUP_KEY.") from exc
    elif (folder / MANIFEST).is_file():
        text = (folder / MANIFEST).read_bytes()
    else:
        raise BackupError("backup_incomplete", f"{folder} has no manifest: not a backup, or one "
                          "that did not finish.")
    manifest: dict[str, Any] = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise BackupError("backup_format", f"Backup format {manifest.get('format')} is not "
                          f"{FORMAT}.")
    return manifest


def _materialise(folder: Path, relative: str, entry: dict[str, Any], fernet: Any | None,
                 target: Path) -> None:
    """Write the plain file to `target` and check its hash against the manifest."""
    source = folder / (relative + (".enc" if fernet else ""))
    if not source.is_file():
        raise BackupError("backup_file_missing", f"{relative} is in the manifest but not in "
                          "the backup folder.")
    digest = hashlib.sha256()
    with _private_open(target) as out:
        chunks = _decrypt_chunks(fernet, source) if fernet else _plain_chunks(source)
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != entry["sha256"]:
        target.unlink()
        raise BackupError("backup_hash_mismatch", f"{relative}: its SHA-256 does not match the "
                          "manifest (the backup was altered or damaged). Nothing was restored "
                          "from it.")


def database_is_empty(alias: str = "default") -> tuple[bool, list[str]]:
    connection = connections[alias]
    tables = sorted(connection.introspection.table_names())
    return not tables, tables


@dataclass(frozen=True)
class RestoreResult:
    tables: int
    rows: int
    files: int


def backup_restore(*, folder: Path, alias: str = "default") -> RestoreResult:
    """Restore `folder` into this (empty) database and the (empty) file folders."""
    folder = Path(folder)
    manifest = manifest_read(folder)
    fernet = _fernet(required=True) if manifest["encrypted"] else None
    vendor = connections[alias].vendor
    if manifest["engine"] != vendor:
        raise BackupError("restore_engine", f"This backup is of a {manifest['engine']} database; "
                          f"DATABASE_URL points at {vendor}.")
    empty, tables = database_is_empty(alias)
    if not empty:
        name = connections[alias].settings_dict["NAME"]
        raise BackupError("restore_not_empty", f"The database {name} is not empty "
                          f"({len(tables)} tables, e.g. {', '.join(tables[:3])}). Restore goes "
                          "into an empty database only: create a new one and point "
                          "DATABASE_URL at it. Nothing was changed.")
    roots = file_sets()
    for set_name, root in roots.items():
        if root.is_dir() and any(p.is_file() for p in root.rglob("*")):
            raise BackupError("restore_files_not_empty", f"The {set_name} folder {root} already "
                              "holds files: restore into empty folders. Nothing was changed.")
    entries: dict[str, dict[str, Any]] = manifest["files"]
    db_name = manifest["database_file"]
    with tempfile.TemporaryDirectory(prefix="telept-restore-") as scratch:
        scratch_dir = Path(scratch)
        # Every file is decrypted and checked before anything is written where it belongs.
        staged: dict[str, Path] = {}
        for index, (relative, entry) in enumerate(sorted(entries.items())):
            staged[relative] = scratch_dir / f"{index:06d}"
            _materialise(folder, relative, entry, fernet, staged[relative])
        if vendor == "postgresql":
            _pg_restore(alias, staged[db_name])
        else:
            _sqlite_restore(alias, staged[db_name])
        restored = 0
        for relative, path in staged.items():
            if relative == db_name:
                continue
            _, set_name, inner = relative.split("/", 2)
            target = roots[set_name] / inner
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, target)
            restored += 1
    counts = table_row_counts(alias)
    if counts != manifest["row_counts"]:
        differ = sorted(t for t in set(counts) | set(manifest["row_counts"])
                        if counts.get(t) != manifest["row_counts"].get(t))
        raise BackupError("restore_counts_differ", "The restored row counts differ from the "
                          f"backup's in: {', '.join(differ[:10])}.")
    return RestoreResult(tables=len(counts), rows=sum(counts.values()), files=restored)


def table_row_counts(alias: str = "default") -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - introspected names
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _pg_restore(alias: str, dump: Path) -> None:
    connection = connections[alias]
    connection.close()
    env, dsn = _pg_env_and_dsn(connection.settings_dict)
    result = subprocess.run(  # noqa: S603 - pg_restore from PATH, arguments are ours
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={dsn}", str(dump)],
        env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError("pg_restore_failed", "pg_restore failed (nothing was restored: it "
                          f"runs in one transaction): {result.stderr.strip()[:500]}")


def _sqlite_restore(alias: str, snapshot: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    with sqlite3.connect(snapshot) as source:
        source.backup(connection.connection)
    source.close()
