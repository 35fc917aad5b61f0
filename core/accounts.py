"""Staff accounts, API tokens, failed-login counts and the audit log, in ``DATA_DIR/console.sqlite``.

Passwords are hashed with scrypt (``hashlib.scrypt``, a random 16-byte salt per password); API tokens are
random (``secrets``) and only their SHA-256 is stored, so a copy of the database gives no way in.
Searching needs no account; every change to the collection does (see webui.auth).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
import time
from pathlib import Path
from typing import Any

from kennisbank.core.errors import BadRequest, KennisbankError
from kennisbank.core.sqlite import SQLiteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
"""

USER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
# scrypt cost: n=2**14, r=8, p=1 (about 16 MiB and 50 ms per hash); stored with each hash so it can grow.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
TOKEN_PREFIX = "kb_"
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_SECONDS = 300


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed.hex(), digest)


# A hash to compare against when the user does not exist, so the answer takes as long either way.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TooManyAttempts(KennisbankError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(
            f"Te veel mislukte inlogpogingen. Probeer het over {max(1, retry_after // 60 + 1)} minuten opnieuw."
        )
        self.retry_after = retry_after


class Accounts(SQLiteFile):
    """Users, tokens, login failures and the audit log. Safe to share between threads (a connection each)."""

    PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON")

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)

    # -- users --------------------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        if not USER_NAME.match(name or ""):
            raise BadRequest(
                f"Ongeldige gebruikersnaam {name!r}: kleine letters, cijfers, punt, streepje of liggend streepje "
                "(maximaal 64 tekens)."
            )
        if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise BadRequest(f"Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens.")
        try:
            self._conn().execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)",
                (name, hash_password(password), time.time()),
            )
        except sqlite3.IntegrityError:
            raise BadRequest(f"Gebruiker {name!r} bestaat al.") from None

    def set_password(self, name: str, password: str) -> None:
        if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise BadRequest(f"Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens.")
        cur = self._conn().execute("UPDATE users SET password_hash = ? WHERE name = ?", (hash_password(password), name))
        if cur.rowcount == 0:
            raise BadRequest(f"Gebruiker {name!r} bestaat niet.")

    def users(self) -> list[str]:
        return [r["name"] for r in self._conn().execute("SELECT name FROM users ORDER BY name")]

    def exists(self, name: str) -> bool:
        return self._conn().execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None

    def authenticate(self, name: str, password: str, client: str) -> str | None:
        """The user's name if the password is right; None if not. Raises TooManyAttempts when rate-limited.

        Failures are counted per client address and user name: LOGIN_MAX_FAILURES in LOGIN_WINDOW_SECONDS
        block further tries (right or wrong) from that address for that name until the window has passed.
        """
        key = f"{client}|{name}"
        now = time.time()
        db = self._conn()
        db.execute("DELETE FROM login_failures WHERE at < ?", (now - LOGIN_WINDOW_SECONDS,))
        rows = db.execute("SELECT at FROM login_failures WHERE key = ? ORDER BY at", (key,)).fetchall()
        if len(rows) >= LOGIN_MAX_FAILURES:
            raise TooManyAttempts(int(rows[0]["at"] + LOGIN_WINDOW_SECONDS - now) + 1)
        row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        ok = verify_password(password, row["password_hash"] if row else _DUMMY_HASH) and row is not None
        if ok:
            db.execute("DELETE FROM login_failures WHERE key = ?", (key,))
            return name
        db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))
        return None

    # -- tokens -------------------------------------------------------------------------------------------
    def new_token(self, name: str) -> str:
        """A new API token for the user (shown once; only its hash is kept)."""
        if not self.exists(name):
            raise BadRequest(f"Gebruiker {name!r} bestaat niet.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._conn().execute(
            "INSERT INTO tokens (token_hash, user, created_at) VALUES (?, ?, ?)", (_token_hash(token), name, time.time())
        )
        return token

    def revoke_tokens(self, name: str) -> int:
        return self._conn().execute("DELETE FROM tokens WHERE user = ?", (name,)).rowcount

    def user_for_token(self, token: str) -> str | None:
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        row = self._conn().execute("SELECT user FROM tokens WHERE token_hash = ?", (_token_hash(token),)).fetchone()
        return row["user"] if row else None

    # -- audit log ----------------------------------------------------------------------------------------
    def audit(self, user: str, action: str, doc_id: str = "", **detail: Any) -> None:
        self._conn().execute(
            "INSERT INTO audit (at, user, action, doc_id, detail) VALUES (?, ?, ?, ?, ?)",
            (time.time(), user, action, doc_id, json.dumps(detail, ensure_ascii=False, default=str)),
        )

    def audit_log(self, limit: int = 200, doc_id: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM audit", []
        if doc_id:
            sql, args = sql + " WHERE doc_id = ?", [doc_id]
        rows = self._conn().execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [
            {
                "id": r["id"],
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(r["at"])),
                "user": r["user"],
                "action": r["action"],
                "doc_id": r["doc_id"],
                "detail": json.loads(r["detail"]),
            }
            for r in rows
        ]


def console_path(settings) -> Path:
    return settings.data_dir / "console.sqlite"
