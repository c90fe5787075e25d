"""Who may log in and what they may do: readers and administrators, scrypt password hashes,
and a growing delay after repeated failed logins (per user name and per client address)."""

from __future__ import annotations

import asyncio
import base64
import contextvars
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from .config import Settings

READER, ADMIN = "reader", "admin"
# scrypt cost: about 50 ms and 16 MB per check on this machine; stored in each hash, so it can
# be raised later without invalidating existing hashes.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
NOT_ADMIN = "Only an administrator can do this; log in with an administrator's account."
# The address of the client being served; Gradio's auth callable gets only name and password.
CLIENT_ADDRESS: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address",
                                                                              default=None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=256 * 1024 * 1024)


def hash_password(password: str) -> str:
    """`scrypt$N$r$p$salt$hash`: safe to keep in ASSISTANT_AUTH (no `:` or `,` inside)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a `scrypt$…` hash or a plain password, in constant time."""
    if stored.startswith("scrypt$"):
        try:
            _, n, r, p, salt, digest = stored.split("$")
            expected = _unb64(digest)
            actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
        except ValueError:  # a malformed hash never matches
            return False
        return hmac.compare_digest(actual, expected)
    return hmac.compare_digest(password.encode(), stored.encode())


@dataclass
class _Failures:
    count: int = 0
    pending: int = 0  # attempts being checked now: they count, or 20 at once would all be free
    last: float = 0.0
    free_at: float = 0.0  # the earliest moment the next attempt may be checked


class LoginThrottle:
    """After `free` failures for a key, each attempt waits `delay`, doubling per further
    failure up to `max_delay`. Attempts queue one behind another, so guessing in parallel is
    no faster than in turn; an attempt that would have to wait longer than `max_delay` is
    refused without checking. A key is forgotten `forget_after` seconds after its last failure."""

    def __init__(self, delay: float = 1.0, max_delay: float = 30.0,
                 forget_after: float = 900.0) -> None:
        self.delay, self.max_delay, self.forget_after = delay, max_delay, forget_after
        self._keys: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def _entry(self, key: str, now: float) -> _Failures:
        entry = self._keys.get(key)
        if entry is not None and now - entry.last > self.forget_after:
            entry = None
        if entry is None:
            if len(self._keys) > 10_000:  # keep memory bounded under a spray of user names
                self._keys = {k: e for k, e in self._keys.items()
                              if now - e.last <= self.forget_after}
            entry = self._keys[key] = _Failures()
        return entry

    def reserve(self, keys: dict[str, int]) -> float | None:
        """Seconds this attempt must wait (keys map to their free attempts), or None: refuse."""
        now = time.monotonic()
        with self._lock:
            waits = {}
            for key, free in keys.items():
                entry = self._entry(key, now)
                excess = entry.count + entry.pending - free
                if excess < 0:
                    waits[key] = 0.0
                    continue
                step = min(self.delay * 2**min(excess, 30), self.max_delay)
                waits[key] = max(now, entry.free_at) + step - now
            if any(wait > self.max_delay for wait in waits.values()):
                return None
            for key, wait in waits.items():
                entry = self._keys[key]
                entry.pending += 1
                entry.last = now
                if wait:
                    entry.free_at = now + wait
            return max(waits.values(), default=0.0)

    def finish(self, keys: list[str], ok: bool, forgive: str | None = None) -> None:
        """Record a checked attempt; a success clears the `forgive` key (its user name)."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                entry = self._entry(key, now)
                entry.pending = max(0, entry.pending - 1)
                if not ok:
                    entry.count += 1
                    entry.last = now
            if ok and forgive:
                self._keys.pop(forgive, None)


class Accounts:
    """The logins from ASSISTANT_AUTH and which of them are administrators."""

    def __init__(self, settings: Settings, throttle: LoginThrottle | None = None) -> None:
        self.passwords = dict(settings.auth_pairs())
        self.admins = settings.admin_names() & set(self.passwords)
        self.free_per_user = settings.login_free_attempts
        self.free_per_client = settings.login_client_free_attempts
        self.throttle = throttle or LoginThrottle(settings.login_delay, settings.login_max_delay)
        # Unknown names are checked against a real hash too, so timing does not tell them apart.
        self._dummy = hash_password(secrets.token_urlsafe(12))

    @property
    def enabled(self) -> bool:
        return bool(self.passwords)

    def role(self, username: str | None) -> str | None:
        if not username or username not in self.passwords:
            return None
        return ADMIN if username in self.admins else READER

    def is_admin(self, username: str | None) -> bool:
        return self.role(username) == ADMIN

    async def login(self, username: str, password: str, client: str | None = None,
                    admins_only: bool = False) -> bool:
        """Gradio's `auth=` callable (async, so a waiting attempt holds no server thread)."""
        client = client or CLIENT_ADDRESS.get()
        keys = {f"user:{username}": self.free_per_user}
        if client:
            keys[f"client:{client}"] = self.free_per_client
        wait = self.throttle.reserve(keys)
        if wait is None:
            return False
        ok = False
        try:  # a caller that hangs up while waiting still counts as a failure
            if wait:
                await asyncio.sleep(wait)
            stored = self.passwords.get(username)
            ok = await asyncio.to_thread(verify_password, password, stored or self._dummy)
            ok = ok and stored is not None and (not admins_only or username in self.admins)
        finally:
            self.throttle.finish(list(keys), ok, forgive=f"user:{username}")
        return ok


class ClientAddressMiddleware:
    """ASGI middleware that makes the caller's address known to `Accounts.login`. Behind a
    reverse proxy this is the proxy's address, so the per-client delay then covers everyone."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        client = scope.get("client") if scope["type"] == "http" else None
        token = CLIENT_ADDRESS.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)
