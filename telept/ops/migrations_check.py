"""Upgrade safety, read from the migration files (nothing is migrated): every operation can
be reversed, and no column or table is dropped or renamed in the same release as the code that
stops using it, unless an allow-list says why.

Why both: a release is rolled back by migrating back to the previous release's last
migrations, which needs reverse code; and during a rolling upgrade the previous release's
processes still run against the new schema, so a column they read must outlive them
(expand, then contract one release later).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation

DESTRUCTIVE = (migrations.RemoveField, migrations.DeleteModel, migrations.RenameField,
               migrations.RenameModel, migrations.RemoveConstraint, migrations.RemoveIndex)


@dataclass(frozen=True)
class Finding:
    migration: str  # "app.0003_name"
    operation: str
    problem: str


def _flatten(operations: list[Operation]) -> list[Operation]:
    found: list[Operation] = []
    for op in operations:
        if isinstance(op, migrations.SeparateDatabaseAndState):
            found += _flatten(op.database_operations)
        else:
            found.append(op)
    return found


def migration_findings(loader: MigrationLoader | None = None,
                       prefix: str = "telept.") -> list[Finding]:
    """Irreversible and destructive operations in our apps' migrations, in order."""
    loader = loader or MigrationLoader(None, ignore_no_migrations=True)
    findings = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not type(migration).__module__.startswith(prefix):
            continue
        for op in _flatten(list(migration.operations)):
            label = f"{app}.{name}"
            if not op.reversible:
                what = {migrations.RunPython: "RunPython without reverse_code",
                        migrations.RunSQL: "RunSQL without reverse_sql"}.get(type(op),
                                                                             "irreversible")
                findings.append(Finding(label, type(op).__name__, what))
            if isinstance(op, DESTRUCTIVE):
                findings.append(Finding(label, type(op).__name__, "destructive"))
    return findings
