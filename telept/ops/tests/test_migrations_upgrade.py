"""Every migration in telept/* can be reversed and drops nothing, or the allow-list says why
(read from the files: fast, nothing is migrated)."""

from __future__ import annotations

from django.db import migrations

from telept.ops.migrations_check import Finding, migration_findings

# "app.migration": why it may not be reversed, or why the drop is safe now (e.g. "the
# column's last reader went in release 0.3; this is 0.4"). Keep entries true: a stale
# entry fails the test too.
ALLOWED: dict[str, str] = {}


def test_every_migration_is_reversible_and_non_destructive_or_allowed():
    findings = migration_findings()
    unexplained = [f for f in findings if f.migration not in ALLOWED]
    assert unexplained == [], (
        "Give these reverse code (RunPython(forward, reverse) / RunSQL(sql, reverse_sql)), or "
        "split the drop into a later release, or add them to ALLOWED with the reason:\n"
        + "\n".join(f"  {f.migration}: {f.operation} ({f.problem})" for f in unexplained))
    stale = set(ALLOWED) - {f.migration for f in findings}
    assert not stale, f"ALLOWED lists migrations that need no exception any more: {stale}"


class _Loader:
    """A stand-in loader holding made-up migrations, to show what the check catches."""

    def __init__(self, *operations):
        migration = type("Migration", (migrations.Migration,), {
            "__module__": "telept.fake.migrations.0002_x", "operations": list(operations)})
        self.disk_migrations = {("fake", "0002_x"): migration("0002_x", "fake")}


def test_the_check_finds_one_way_code_and_drops():
    def forward(apps, schema_editor):
        pass

    findings = migration_findings(_Loader(
        migrations.RunPython(forward),
        migrations.RunSQL("UPDATE x SET y = 1"),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(database_operations=[
            migrations.RemoveField("visit", "old_column")]),
    ))
    assert findings == [
        Finding("fake.0002_x", "RunPython", "RunPython without reverse_code"),
        Finding("fake.0002_x", "RunSQL", "RunSQL without reverse_sql"),
        Finding("fake.0002_x", "RemoveField", "destructive"),
    ]
