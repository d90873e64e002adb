"""Signed, expiring session tokens for the sign-in cookie (itsdangerous).

A token names a user and their `session_version`; it is only as good as the secret key, so
the key is either given (`SPARRING_SECRET_KEY`, the same for every replica) or made once
and kept, readable by its owner only, in the data directory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from simulator.core.settings import Settings

KEY_FILE = "secret_key"


def secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class SessionTokens:
    def __init__(self, key: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="sparring-session")
        self.max_age_s = max_age_s

    @classmethod
    def for_settings(cls, settings: Settings) -> SessionTokens:
        return cls(secret_key(settings), settings.session_days * 24 * 3600)

    def issue(self, user_id: int, session_version: int) -> str:
        return self._serializer.dumps([user_id, session_version])

    def read(self, token: str | None) -> tuple[int, int] | None:
        """(user id, session version), or None for a missing, forged or expired token."""
        if not token:
            return None
        try:
            user_id, version = self._serializer.loads(token, max_age=self.max_age_s)
        except (BadSignature, ValueError, TypeError):
            return None
        return int(user_id), int(version)
