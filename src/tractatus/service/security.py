"""The service's protections: API key, signed CSRF and session tokens, rate limit, size limit, headers.

Hand-written rather than taken from a library where the library is not installed here and the
mechanism is a few lines of stdlib (hmac, secrets): a token bucket, an HMAC signer. Each piece
is a plain object owned by the app (no module-level state), so two apps in one process (tests)
never share a bucket or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, MutableMapping

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "tractatus_csrf"
SESSION_COOKIE = "tractatus_session"

# No inline script or style anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


def keys_match(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so response timing does not reveal how much of a key matched."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Signer:
    """HMAC-SHA256 over `purpose|payload|issued_at`, with an expiry. The secret is per app."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def _mac(self, purpose: str, payload: str, issued: int) -> str:
        return hmac.new(self._secret, f"{purpose}|{payload}|{issued}".encode(), hashlib.sha256).hexdigest()

    def sign(self, purpose: str, payload: str) -> str:
        issued = int(self._clock())
        return f"{payload}.{issued}.{self._mac(purpose, payload, issued)}"

    def verify(self, purpose: str, token: str | None, max_age_s: float) -> str | None:
        """The payload of a valid, fresh token, else None."""
        if not token or token.count(".") != 2:
            return None
        payload, issued_text, mac = token.split(".")
        if not issued_text.isdigit():
            return None
        issued = int(issued_text)
        if not hmac.compare_digest(mac, self._mac(purpose, payload, issued)):
            return None
        if not 0 <= self._clock() - issued <= max_age_s:
            return None
        return payload


class CsrfTokens:
    """Double-submit tokens: a random nonce in a cookie and the signed nonce in the form.

    A cross-site page can make the browser send the cookie but cannot read it, so it cannot put
    the matching signed token in the form body.
    """

    def __init__(self, signer: Signer, max_age_s: float) -> None:
        self._signer = signer
        self.max_age_s = max_age_s

    @staticmethod
    def new_nonce() -> str:
        return secrets.token_urlsafe(24).replace(".", "_")

    def token_for(self, nonce: str) -> str:
        return self._signer.sign("csrf", nonce)

    def valid(self, token: str | None, cookie_nonce: str | None) -> bool:
        payload = self._signer.verify("csrf", token, self.max_age_s)
        return payload is not None and cookie_nonce is not None and hmac.compare_digest(payload, cookie_nonce)


class SessionTokens:
    """The dashboard login: a signed, expiring token in an HttpOnly, SameSite=Strict cookie."""

    MAX_AGE_S = 8 * 3600  # one working day

    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    def issue(self) -> str:
        return self._signer.sign("session", secrets.token_urlsafe(16).replace(".", "_"))

    def valid(self, token: str | None) -> bool:
        return self._signer.verify("session", token, self.MAX_AGE_S) is not None


class TokenBucketLimiter:
    """Per-client token buckets: `rate` tokens/s refill, up to `burst`. Bounded in memory (LRU)."""

    def __init__(self, rate: float, burst: int, *, max_clients: int = 10000, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.burst = float(burst)
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, float]:
        """(allowed, seconds until a token is available)."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            if len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
            return allowed, 0.0 if allowed else (1.0 - tokens) / self.rate


async def _send_json(send: Send, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((name, value) for name, value in SECURITY_HEADERS if name not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413: by Content-Length up front, or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit():
                    await _send_json(send, 400, "invalid Content-Length header")
                    return
                if int(value) > self.max_bytes:
                    await _send_json(send, 413, f"request body larger than {self.max_bytes} bytes")
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _send_json(send, 413, f"request body larger than {self.max_bytes} bytes")


class RateLimitMiddleware:
    """429 with Retry-After once a client's bucket is empty. Health checks and static files are exempt."""

    EXEMPT_PREFIXES = ("/healthz", "/static/")

    def __init__(self, app: ASGIApp, limiter: TokenBucketLimiter, on_limited: Callable[[], None] | None = None) -> None:
        self.app = app
        self.limiter = limiter
        self.on_limited = on_limited

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        allowed, wait_s = self.limiter.allow(client[0] if client else "unknown")
        if not allowed:
            if self.on_limited is not None:
                self.on_limited()
            retry = str(max(1, int(wait_s + 0.999))).encode()
            await _send_json(send, 429, "too many requests; slow down", headers=((b"retry-after", retry),))
            return
        await self.app(scope, receive, send)
