"""Contact addresses kept with consent, encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The database never holds a raw address: a copy of the database file alone reveals nothing. The
key lives outside the database: TRACTATUS_CONTACT_KEY, or a key file created on first start in
the data directory with owner-only permissions. Losing the key loses the addresses, which is
the right failure for data kept only to answer the person once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from tractatus.governance.errors import ConfigError, InputError

# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is the mail
# server's question; this only refuses what cannot be an address (RFC 5321 caps it at 254).
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$")


def validate_email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InputError("email: not a valid address")
    return value


class ContactVault:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError("contact key is not a valid Fernet key (32 url-safe base64 bytes)") from None

    @classmethod
    def open(cls, data_dir: Path, env_key: str | None = None) -> ContactVault:
        if env_key:
            return cls(env_key.encode())
        path = data_dir / "contact.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(Fernet.generate_key())
        try:
            return cls(path.read_bytes().strip())
        except OSError as exc:
            raise ConfigError(f"cannot read contact key {path}: {exc.strerror}") from None

    def seal(self, email: str) -> str:
        return self._fernet.encrypt(email.encode()).decode()

    def open_token(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigError("contact token does not decrypt with this key") from None
