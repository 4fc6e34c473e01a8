"""Backup -> restore into a fresh database: every table's row count and every file's hash
come back, and the audit trail is still append-only (its triggers survive the restore).

The backup runs in-process on the test database (committed rows: a real transaction); the
restore runs as `manage.py restore` in a subprocess pointed at a new, empty database: a
SQLite file, or on PostgreSQL a scratch database `h_ops_restore_*` made and dropped here.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from telept.audit.services import audit_record
from telept.ops.backup import table_row_counts

BASE_DIR = Path(__file__).resolve().parents[3]
_AUDIT = importlib.import_module(
    "telept.audit.migrations.0002_refuse_update_and_delete_of_audit_rows")


@pytest.fixture
def committed(transactional_db, settings, tmp_path):
    """Rows committed for real, media and recordings on disk; the audit table emptied
    afterwards on SQLite (its trigger refuses pytest-django's DELETE; see visits conftest)."""
    settings.MEDIA_ROOT = tmp_path / "src" / "media"
    settings.RECORDINGS_ROOT = tmp_path / "src" / "recordings"
    settings.BILLING_CLAIMS_OUTBOX = tmp_path / "src" / "claims-outbox"
    yield settings
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            cursor.execute(f"DELETE FROM {_AUDIT.TABLE}")  # noqa: S608 - a constant name
            cursor.execute(_AUDIT.SQLITE_UP[1])


def _files(settings) -> dict[str, str]:
    """Write a media file, a recording and a claim file; {set/relative path: SHA-256}."""
    roots = {"media": Path(settings.MEDIA_ROOT), "recordings": Path(settings.RECORDINGS_ROOT),
             "claims-outbox": Path(settings.BILLING_CLAIMS_OUTBOX)}
    made = {("media", "exercises/squat.png"): b"\x89PNG" + os.urandom(2000),
            ("recordings", "2026/12/set-1.webm"): os.urandom(300_000),
            ("claims-outbox", "batch-1.837"): b"ISA*00*~" * 50}
    hashes = {}
    for (root, relative), content in made.items():
        path = roots[root] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        hashes[f"{root}/{relative}"] = hashlib.sha256(content).hexdigest()
    return hashes


def _hashes(var_dir: Path) -> dict[str, str]:
    found = {}
    for sub in ("media", "recordings", "claims-outbox"):
        for path in (var_dir / sub).rglob("*"):
            if path.is_file():
                found[f"{sub}/{path.relative_to(var_dir / sub).as_posix()}"] = \
                    hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _restore(folder: Path, *, database_url: str, var_dir: Path, key: str = "") -> \
        subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TELEPT_DEMO"}}
    env.update({"DATABASE_URL": database_url, "TELEPT_VAR_DIR": str(var_dir),
                "TELEPT_ENV_FILE": "", "TELEPT_BACKUP_KEY": key,
                "SECRET_KEY": os.environ["SECRET_KEY"]})
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "manage.py", "restore", str(folder)], cwd=BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


class Target:
    """A fresh database for the restore, with a way to count and to try an UPDATE."""

    def __init__(self, tmp_path: Path) -> None:
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            settings_dict = connection.settings_dict
            self.name = f"h_ops_restore_{secrets.token_hex(4)}"
            self.admin_url = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(
                scheme="postgresql", path="/postgres"))
            self._admin(f'CREATE DATABASE "{self.name}"')
            user = settings_dict["USER"] or "postgres"
            host = settings_dict["HOST"] or "127.0.0.1"
            port = settings_dict["PORT"] or "5432"
            self.url = f"postgres://{user}@{host}:{port}/{self.name}"
        else:
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def _connect(self):
        if self.vendor == "postgresql":
            import psycopg

            return psycopg.connect(urlunparse(urlparse(self.url)._replace(scheme="postgresql")))
        return sqlite3.connect(self.path)

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            if self.vendor == "postgresql":
                names = [r[0] for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            else:
                names = [r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'")]
            return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]  # noqa: S608
                    for n in names}

    def update_audit(self) -> Exception | None:
        conn = self._connect()
        try:
            conn.execute(f"UPDATE {_AUDIT.TABLE} SET action = 'tampered'")  # noqa: S608
            conn.commit()
        except Exception as exc:  # noqa: BLE001 - the refusal is what we look for
            return exc
        finally:
            conn.close()
        return None

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    made = Target(tmp_path)
    yield made
    made.drop()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
        committed, cast, target, tmp_path, monkeypatch, encrypted):
    key = Fernet.generate_key().decode() if encrypted else ""
    monkeypatch.setenv("TELEPT_BACKUP_KEY", key)
    for n in range(3):
        audit_record(actor=None, action="view", object_type="Patient",
                     object_id=cast.patient.pk, patient_id=cast.patient.pk,
                     practice_id=cast.practice.pk, detail={"n": n})
    expected_files = _files(committed)
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    source_counts = table_row_counts()
    assert source_counts["audit_auditevent"] >= 3
    assert source_counts["patients_patient"] >= 3
    if encrypted:  # nothing readable lies in the folder
        assert not (folder / "manifest.json").exists()
        recording = next(folder.rglob("set-1.webm.enc")).read_bytes()
        assert recording.startswith(b"TELEPT-BACKUP-FERNET-1")
        assert not any(path.name.endswith((".sqlite3", ".pgdump")) for path in folder.rglob("*"))

    var_dir = tmp_path / "restored-var"
    result = _restore(folder, database_url=target.url, var_dir=var_dir, key=key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "row counts match" in result.stdout

    assert target.counts() == source_counts
    assert _hashes(var_dir) == expected_files
    refused = target.update_audit()
    assert refused is not None and "append-only" in str(refused)

    again = _restore(folder, database_url=target.url, var_dir=tmp_path / "other-var", key=key)
    assert again.returncode != 0
    assert "is not empty" in again.stderr and "empty database only" in again.stderr


def test_a_backup_refuses_a_folder_that_is_not_empty(committed, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "used"))


def test_an_altered_backup_is_refused_before_anything_is_restored(
        committed, cast, target, tmp_path, monkeypatch):
    monkeypatch.setenv("TELEPT_BACKUP_KEY", "")
    _files(committed)
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    recording = next(folder.rglob("set-1.webm"))
    recording.write_bytes(b"not the recording")
    result = _restore(folder, database_url=target.url, var_dir=tmp_path / "v")
    assert result.returncode != 0
    assert "does not match the manifest" in result.stderr
    assert target.counts() == {} or sum(target.counts().values()) == 0


def test_an_encrypted_backup_needs_its_key(committed, tmp_path, target, monkeypatch):
    monkeypatch.setenv("TELEPT_BACKUP_KEY", Fernet.generate_key().decode())
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=open(os.devnull, "w"))  # noqa: SIM115
    result = _restore(folder, database_url=target.url, var_dir=tmp_path / "v",
                      key=Fernet.generate_key().decode())
    assert result.returncode != 0 and "does not decrypt" in result.stderr
