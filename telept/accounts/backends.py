"""E-mail + password authentication (case-insensitive e-mail)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from telept.accounts.models import User


class EmailBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, email: str | None = None,
                     **kwargs: object) -> User | None:
        email = (email or username or "").strip().lower()
        if not email or not password:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User().set_password(password)  # same work either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
