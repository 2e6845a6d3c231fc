"""Signed checkpoints of the audit log's head, kept apart from the log: what makes truncation visible.

A hash chain proves order, not completeness: whoever can write the database can delete the newest
entries, wipe the table or drop it, and what is left still chains. Transparency logs solve this
with signed statements of the head kept somewhere else (Certificate Transparency's signed tree
heads, Sigstore Rekor's checkpoints). Here a checkpoint is one JSON line

    {"head": <hash of entry seq>, "key_id": <first 16 hex of sha256(public key)>,
     "seq": <seq>, "sig": <base64 Ed25519 signature>, "time_us": <injected clock>, "v": 1}

signed over the canonical JSON of every field but "sig", appended (O_APPEND, fsync) to a JSONL
file beside the SQLite file (`audit.db.checkpoints.jsonl`) or at `$TRACTATUS_AUDIT_CHECKPOINTS`.
The Ed25519 private key lives in a file outside the database (`tractatus audit keygen`,
`$TRACTATUS_AUDIT_KEY`); verification needs only the public half (`<key>.pub`).

`verify_checkpoints` then demands that every checkpointed entry still exists with the hash that
was signed: a truncated, wiped, dropped or rolled-back log fails, naming the missing range.
Before signing a new head the signer checks that its previous checkpoint still holds, so the
log's own writer never blesses a rewritten history.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tractatus.governance.actions import canonical_json, sha256_hex
from tractatus.governance.errors import ConfigError, InputError, IntegrityError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    from tractatus.governance.audit import AuditLog

# `cryptography` is imported by the functions that sign or verify: every audit log opens this
# module for its settings, and an audited `tractatus check` without a key should not pay for the
# import (issue 12, item 6).

Clock = Callable[[], float]
log = logging.getLogger("tractatus.audit")

KEY_ENV = "TRACTATUS_AUDIT_KEY"
CHECKPOINTS_ENV = "TRACTATUS_AUDIT_CHECKPOINTS"
EVERY_ENTRIES_ENV = "TRACTATUS_AUDIT_CHECKPOINT_EVERY"
EVERY_SECONDS_ENV = "TRACTATUS_AUDIT_CHECKPOINT_SECONDS"
CHECKPOINT_SUFFIX = ".checkpoints.jsonl"
URL_LOG_CHECKPOINTS = Path(".tractatus") / "audit-checkpoints.jsonl"  # for a log given as a URL
FORMAT_VERSION = 1


class CheckpointSettings(BaseModel):
    """When the log signs its head by itself. Both bounds apply: whichever is reached first.

    - `every_entries` (default 10,000): at most this many entries are unanchored by count. A
      checkpoint is one signature and one fsynced line, written while appends wait; with one
      every 1,000 entries appends ran 8% slower, with one every 10,000 no slower than without
      (docs/benchmarks/audit-checkpoints.md). Lower it where a smaller window matters more.
    - `every_seconds` (default 60): once this long has passed since the last checkpoint, the
      head is signed even if fewer entries came (checked on every append and by a timer thread
      while the log is quiet), and again when the log is closed. It bounds how long the newest
      entries stay unanchored while the writer is running.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_path: Path | None = None  # None: no automatic checkpoints
    path: Path | None = None  # None: beside the SQLite file (see `checkpoints_path`)
    every_entries: int = Field(default=10_000, ge=1)
    every_seconds: float = Field(default=60.0, gt=0)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CheckpointSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, field in ((KEY_ENV, "key_path"), (CHECKPOINTS_ENV, "path")):
            if env.get(name, "").strip():
                values[field] = Path(env[name].strip()).expanduser()
        for name, field in ((EVERY_ENTRIES_ENV, "every_entries"), (EVERY_SECONDS_ENV, "every_seconds")):
            if env.get(name, "").strip():
                values[field] = env[name].strip()
        try:
            return cls(**values)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(f"checkpoint setting {first['loc'][0]}: {first['msg']}") from None


def checkpoints_path(location: str | Path, override: Path | None = None) -> Path:
    """Where a log's checkpoints live: the override, else beside the SQLite file, else .tractatus/."""
    if override is not None:
        return override
    if isinstance(location, Path):
        return location.with_name(location.name + CHECKPOINT_SUFFIX)
    return Path.cwd() / URL_LOG_CHECKPOINTS


# -- keys ---------------------------------------------------------------------------------------


def public_key_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def key_id(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw.hex())[:16]


def generate_key(path: Path) -> str:
    """Write a new Ed25519 private key (mode 0600) and its public half (`<path>.pub`); return its id.

    Refuses to overwrite: replacing the key would orphan every checkpoint signed with it.
    """
    pub_path = public_key_path(path)
    for existing in (path, pub_path):
        if existing.exists():
            raise InputError(f"{existing} exists already; refusing to replace a signing key")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        pub_path.write_bytes(public_pem)
    except OSError as exc:
        raise ConfigError(f"cannot write audit key {path}: {exc.strerror or exc}") from None
    return key_id(private.public_key())


def _read_pem(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"audit key {path}: not found (create one with `tractatus audit keygen`)") from None
    except OSError as exc:
        raise ConfigError(f"audit key {path}: cannot read ({exc.strerror or exc})") from None


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(_read_pem(path), password=None)
    except (ValueError, TypeError):
        raise ConfigError(f"audit key {path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"audit key {path}: not an Ed25519 key")
    return key


def load_verify_key(path: Path) -> Ed25519PublicKey:
    """The public key from a public key file, or derived from the private key file."""
    pem = _read_pem(path)
    if b"PRIVATE KEY" in pem:
        return load_signing_key(path).public_key()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise ConfigError(f"audit key {path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"audit key {path}: not an Ed25519 key")
    return key


# -- statements ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int
    head: str
    time_us: int
    key_id: str
    signature: bytes
    line: int = 0  # 1-based line in the checkpoint file it was read from

    def statement(self) -> bytes:
        """What is signed: every field but the signature, canonical JSON."""
        body = {"head": self.head, "key_id": self.key_id, "seq": self.seq, "time_us": self.time_us, "v": FORMAT_VERSION}
        return canonical_json(body).encode()

    def to_json(self) -> str:
        body = json.loads(self.statement())
        body["sig"] = base64.b64encode(self.signature).decode()
        return canonical_json(body)

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.time_us / 1_000_000, UTC).isoformat(timespec="seconds")

    def verifies(self, public: Ed25519PublicKey) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            public.verify(self.signature, self.statement())
        except InvalidSignature:
            return False
        return True


def sign(private: Ed25519PrivateKey, seq: int, head: str, time_us: int) -> Checkpoint:
    unsigned = Checkpoint(seq, head, time_us, key_id(private.public_key()), b"")
    return Checkpoint(seq, head, time_us, unsigned.key_id, private.sign(unsigned.statement()))


def _parse_line(line: str, number: int, path: Path) -> Checkpoint:
    try:
        body = json.loads(line)
        seq, head, time_us = body["seq"], body["head"], body["time_us"]
        if type(seq) is not int or type(time_us) is not int or not isinstance(head, str) or body.get("v") != FORMAT_VERSION:
            raise ValueError
        return Checkpoint(seq, head, time_us, str(body["key_id"]), base64.b64decode(body["sig"], validate=True), number)
    except (ValueError, KeyError, TypeError):
        raise IntegrityError(f"checkpoint file {path} line {number} is not a checkpoint (altered)") from None


class CheckpointFile:
    """An append-only JSONL file of signed checkpoints."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[Checkpoint]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise IntegrityError(f"checkpoint file {self.path}: cannot read ({exc})") from None
        return [_parse_line(line, n, self.path) for n, line in enumerate(text.splitlines(), 1) if line.strip()]

    def append(self, checkpoint: Checkpoint) -> None:
        """One write of one whole line with O_APPEND, then fsync: concurrent writers never interleave."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (checkpoint.to_json() + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise ConfigError(f"checkpoint file {self.path}: cannot write ({exc.strerror or exc})") from None


# -- signing the head ---------------------------------------------------------------------------


def _refuse_if_rewritten(audit: AuditLog, previous: Checkpoint | None) -> None:
    if previous is None:
        return
    found = audit.hashes_at([previous.seq]).get(previous.seq)
    if found != previous.head:
        what = "is missing" if found is None else "no longer has the signed hash"
        raise IntegrityError(
            f"refusing to sign: entry {previous.seq}, checkpointed at {previous.when}, {what}; "
            "run `tractatus audit verify`"
        )


def sign_head(audit: AuditLog, private: Ed25519PrivateKey, file: CheckpointFile, clock: Clock = time.time) -> Checkpoint:
    """Sign the log's current head and append the checkpoint; refuse if the last one no longer holds."""
    existing = file.read()
    previous = max(existing, key=lambda c: c.seq, default=None)
    _refuse_if_rewritten(audit, previous)
    seq, head = audit.stored_head()
    checkpoint = sign(private, seq, head, round(clock() * 1_000_000))
    file.append(checkpoint)
    return checkpoint


class AutoCheckpointer:
    """Signs the head from inside the log's writer every N entries or T seconds (see settings)."""

    def __init__(self, settings: CheckpointSettings, file: CheckpointFile, *, clock: Clock = time.time) -> None:
        if settings.key_path is None:
            raise ConfigError("automatic checkpoints need a key file")
        self.settings = settings
        self.file = file
        self._key = load_signing_key(settings.key_path)
        self._clock = clock
        self._last: Checkpoint | None = max(file.read(), key=lambda c: c.seq, default=None)
        self._last_time = clock()

    def after_append(self, audit: AuditLog) -> None:
        """Called by the log's writer once entries are committed (one writer at a time)."""
        seq = audit.head[0]
        since = seq - (self._last.seq if self._last is not None else 0)
        # since < 0: the log is shorter than its last checkpoint; signing refuses and says so.
        if since < 0 or since >= self.settings.every_entries or (since > 0 and self._clock() - self._last_time >= self.settings.every_seconds):
            self._sign(audit)

    def on_close(self, audit: AuditLog) -> None:
        if audit.head[0] != (self._last.seq if self._last is not None else 0):
            try:
                self._sign(audit)
            except Exception as exc:  # closing must not raise; verify will name what is wrong
                log.error("audit checkpoint at close failed: %s", exc)

    def _sign(self, audit: AuditLog) -> None:
        _refuse_if_rewritten(audit, self._last)
        seq, head = audit.head
        checkpoint = sign(self._key, seq, head, round(self._clock() * 1_000_000))
        self.file.append(checkpoint)
        self._last, self._last_time = checkpoint, self._clock()


# -- verifying against checkpoints --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    checkpoints: int
    latest_seq: int | None
    signatures_checked: bool
    problem: str | None = None
    first_bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoints": self.checkpoints,
            "latest_seq": self.latest_seq,
            "signatures_checked": self.signatures_checked,
            "ok": self.ok,
            "problem": self.problem,
            "first_bad_seq": self.first_bad_seq,
        }


def verify_checkpoints(audit: AuditLog, file: CheckpointFile, public: Ed25519PublicKey | None) -> CheckpointReport:
    """Every checkpointed entry must exist with its signed hash; every signature must verify.

    The earliest checkpoint that fails names the gap: entries after the last one that holds
    were deleted (truncation, wipe, dropped table) or rewritten (a rolled-back head).
    """
    checkpoints = sorted(file.read(), key=lambda c: (c.seq, c.line))
    latest = checkpoints[-1].seq if checkpoints else None

    def report(problem: str | None = None, seq: int | None = None) -> CheckpointReport:
        return CheckpointReport(len(checkpoints), latest, public is not None, problem, seq)

    if public is not None:
        wanted = key_id(public)
        for cp in sorted(checkpoints, key=lambda c: c.line):
            if cp.key_id != wanted or not cp.verifies(public):
                why = "signed by another key" if cp.key_id != wanted else "signature does not verify"
                return report(f"checkpoint file {file.path} line {cp.line}: {why} (forged or altered)", cp.seq)
    if not checkpoints:
        return report()
    found = audit.hashes_at(c.seq for c in checkpoints)
    end = audit.stored_head()[0]
    last_good = 0
    for cp in checkpoints:
        stored = found.get(cp.seq)
        if stored == cp.head:
            last_good = cp.seq
            continue
        if cp.seq > end:
            newest = checkpoints[-1]  # name the whole missing range, up to the newest anchor
            gap = f"entries {end + 1}..{newest.seq} are missing" if end + 1 < newest.seq else f"entry {newest.seq} is missing"
            what = f"the log ends at seq {end}" if end else "the log is empty"
            return report(
                f"{what} but checkpoint line {newest.line} ({newest.when}) signed seq {newest.seq}: {gap} "
                "(truncated, wiped, dropped or rolled back)",
                end + 1,
            )
        what = "is missing" if stored is None else "differs from the signed hash"
        return report(
            f"entry {cp.seq} {what} (checkpoint line {cp.line}, {cp.when}): entries after seq {last_good} were "
            "deleted or rewritten (rolled-back head)",
            last_good + 1,
        )
    return report()
