"""The append-only audit trail (HIPAA §164.312(b) audit controls).

References are plain integers, not foreign keys: an audit row must outlive and never be
touched by changes to the rows it speaks of. The database refuses UPDATE and DELETE on this
table (triggers in migration 0002), so not even a bug in the app can rewrite history.
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        READ = "read", "read"
        LIST = "list", "list"
        CREATE = "create", "create"
        UPDATE = "update", "update"
        DELETE = "delete", "delete"
        EXPORT = "export", "export"
        LOGIN = "login", "login"
        LOGIN_FAILED = "login_failed", "login failed"
        LOGOUT = "logout", "logout"
        MFA = "mfa", "mfa"
        GRANT = "grant", "grant"
        REVOKE = "revoke", "revoke"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    practice_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["practice_id", "at"], name="audit_practice_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_type}"
