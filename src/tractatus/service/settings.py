"""The service's configuration: one validated, immutable object built from CLI options and env.

Governance thresholds live in the policy file (policies/service.yaml). What lives here is how
the web service itself runs: where it stores things, how large a request may be, how fast a
client may call. Each field says what it means and why it has its default.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from tractatus.governance.errors import ConfigError

# Environment variables the service reads, and the setting each one fills.
ENV_SETTINGS = {
    "TRACTATUS_API_KEY": "api_key",
    "DATABASE_URL": "database_url",
    "TRACTATUS_AUDIT_DB": "audit_db",
    "TRACTATUS_DATA_DIR": "data_dir",
    "TRACTATUS_CONTACT_KEY": "contact_key",
    "TRACTATUS_OTEL_EXPORTER": "otel_exporter",
}
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", description="Address to bind; loopback unless an API key is set.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port to bind; 0 picks a free one.")
    data_dir: Path = Field(
        default=Path(".tractatus"),
        description="Where the default SQLite files (service.db, audit.db) and the contact key live.",
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the service database; default: SQLite file data_dir/service.db."
    )
    audit_db: str | None = Field(
        default=None,
        description="Audit log location (path or URL); default: data_dir/audit.db, or the database URL for PostgreSQL.",
    )
    policy_path: Path | None = Field(default=None, description="Governance policy; default: policies/service.yaml.")
    api_key: SecretStr | None = Field(default=None, description="Bearer key for the API, dashboard and metrics.")
    contact_key: SecretStr | None = Field(
        default=None, description="Fernet key for contact addresses; default: a key file in data_dir."
    )
    # A feedback message is a paragraph or two; 5,000 characters is generous and keeps one
    # submission's governance work bounded (the detectors are linear in the text).
    max_message_chars: int = Field(default=5000, gt=0)
    # Bodies above this are refused with 413 before they are read: a 5,000-character message
    # in UTF-8 and form encoding stays well below 64 KiB.
    max_body_bytes: int = Field(default=65536, gt=0)
    # Token bucket per client address: `rate_limit_per_s` requests per second sustained with
    # bursts up to `rate_limit_burst`. Generous for people, tight for a script hammering the form.
    rate_limit_per_s: float = Field(default=5.0, gt=0)
    rate_limit_burst: int = Field(default=30, gt=0)
    # A CSRF token older than this is refused: long enough to write a thoughtful message.
    csrf_max_age_s: int = Field(default=7200, gt=0)
    # Seed of the response strategy's random generator: a seed reproduces the strategy choices.
    seed: int = Field(default=0, ge=0)
    otel_exporter: Literal["none", "console", "memory"] = Field(
        default="none", description="Where decision spans go: nowhere, stdout, or memory (tests)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    secure_cookies: bool = Field(default=False, description="Mark cookies Secure (set when served behind HTTPS).")

    # -- derived ---------------------------------------------------------------------------
    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'service.db').resolve()}"

    @property
    def resolved_audit_db(self) -> str:
        if self.audit_db:
            return self.audit_db
        if self.database_url and not self.database_url.startswith("sqlite"):
            return self.database_url  # PostgreSQL: the audit tables live beside the service's
        return str((self.data_dir / "audit.db").resolve())

    @property
    def resolved_policy_path(self) -> Path:
        if self.policy_path is not None:
            return self.policy_path
        from tractatus.governance.policy import bundled_policy_path

        return bundled_policy_path("service")

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)

    def require_safe_bind(self) -> None:
        """With no API key, the API is open: refuse anything but a loopback address."""
        if self.api_key is None and not self.is_loopback:
            raise ConfigError(
                f"refusing to serve on non-loopback address {self.host!r} without an API key; "
                "set TRACTATUS_API_KEY or bind 127.0.0.1"
            )

    @classmethod
    def build(cls, env: Mapping[str, str] | None = None, **options: object) -> ServiceSettings:
        """Settings from explicit options (CLI), then env (TRACTATUS_*, DATABASE_URL), then defaults."""
        env = os.environ if env is None else env
        from_env: dict[str, object] = {field: env[name] for name, field in ENV_SETTINGS.items() if env.get(name)}
        values = {**from_env, **{k: v for k, v in options.items() if v is not None}}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "settings"
            message = "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
            raise ConfigError(f"invalid service setting {field}: {message}") from None


def is_loopback_host(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
