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
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
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
# Login throttling (see authenticate): per account a backoff after LOGIN_FREE_FAILURES failures, doubling per
# failure up to LOGIN_MAX_BACKOFF seconds (never a lockout); per address at most LOGIN_ADDRESS_FAILURES failed
# tries in LOGIN_WINDOW_SECONDS, whatever the names.
LOGIN_FREE_FAILURES = 5
LOGIN_MAX_BACKOFF = 60
LOGIN_ADDRESS_FAILURES = 20
LOGIN_WINDOW_SECONDS = 900
# Password policy: zxcvbn's score (0-4) at least this; words of this site count as guessable.
MIN_PASSWORD_SCORE = 4
SITE_WORDS = ("kennisbank", "samen", "opleiden", "professionaliseren", "welkom", "wachtwoord", "beheer", "platform")
SESSION_HOURS = 12
# Columns added to the tokens table after the first release (added in place when missing).
TOKEN_COLUMNS = {"name": "TEXT NOT NULL DEFAULT ''", "expires_at": "REAL", "last_used_at": "REAL"}


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
        wait = f"{retry_after} seconden" if retry_after < 120 else f"{retry_after // 60 + 1} minuten"
        super().__init__(f"Te veel mislukte inlogpogingen. Probeer het over {wait} opnieuw.")
        self.retry_after = retry_after


def check_password(password: str, name: str = "") -> None:
    """Refuse a password that is short or guessable: zxcvbn's estimate (dictionaries of common passwords,
    names, keyboard patterns, dates, l33t) with the user's name and this site's words as known inputs."""
    from zxcvbn import zxcvbn  # third-party; loads its dictionaries (a few MB) only when a password is set

    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise BadRequest(f"Een wachtwoord heeft minstens {MIN_PASSWORD_CHARS} tekens.")
    result = zxcvbn(password[:100], user_inputs=[name, *SITE_WORDS])
    if result["score"] < MIN_PASSWORD_SCORE:
        raise BadRequest(
            f"Dit wachtwoord is te makkelijk te raden (sterkte {result['score']} van 4, nodig is "
            f"{MIN_PASSWORD_SCORE}). Kies een langere zin van een paar losse, onverwachte woorden; geen naam, "
            "jaartal of bekend wachtwoord."
        )


class Accounts(SQLiteFile):
    """Users, tokens, login failures and the audit log. Safe to share between threads (a connection each)."""

    PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON")

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA)
        self._migrate_tokens()

    # -- users --------------------------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        if not USER_NAME.match(name or ""):
            raise BadRequest(
                f"Ongeldige gebruikersnaam {name!r}: kleine letters, cijfers, punt, streepje of liggend streepje "
                "(maximaal 64 tekens)."
            )
        check_password(password, name)
        try:
            self._conn().execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)",
                (name, hash_password(password), time.time()),
            )
        except sqlite3.IntegrityError:
            raise BadRequest(f"Gebruiker {name!r} bestaat al.") from None

    def set_password(self, name: str, password: str) -> dict[str, int]:
        """A new password; every session and token of the user stops working. Returns what was revoked."""
        if not self.exists(name):
            raise BadRequest(f"Gebruiker {name!r} bestaat niet.")
        check_password(password, name)
        with self._tx() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (hash_password(password), name))
            sessions = db.execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount
            tokens = db.execute("DELETE FROM tokens WHERE user = ?", (name,)).rowcount
        return {"sessions": sessions, "tokens": tokens}

    def users(self) -> list[str]:
        return [r["name"] for r in self._conn().execute("SELECT name FROM users ORDER BY name")]

    def exists(self, name: str) -> bool:
        return self._conn().execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None

    def authenticate(self, name: str, password: str, client: str) -> str | None:
        """The user's name if the password is right; None if not. Raises TooManyAttempts when throttled.

        Two throttles, both on failed tries within LOGIN_WINDOW_SECONDS: per address, LOGIN_ADDRESS_FAILURES
        failures (whatever the names) stop further tries from it; per account, after LOGIN_FREE_FAILURES
        failures (from anywhere) each next try waits 2, 4, 8 ... seconds (at most LOGIN_MAX_BACKOFF) after the
        last failure. A backoff, not a lockout: the real user gets in a minute later at worst.
        """
        now = time.time()
        db = self._conn()
        db.execute("DELETE FROM login_failures WHERE at < ?", (now - LOGIN_WINDOW_SECONDS,))
        address_key, account_key = f"addr|{client}", f"user|{name}"
        rows = db.execute("SELECT at FROM login_failures WHERE key = ? ORDER BY at", (address_key,)).fetchall()
        if len(rows) >= LOGIN_ADDRESS_FAILURES:
            raise TooManyAttempts(int(rows[len(rows) - LOGIN_ADDRESS_FAILURES]["at"] + LOGIN_WINDOW_SECONDS - now) + 1)
        rows = db.execute("SELECT at FROM login_failures WHERE key = ? ORDER BY at", (account_key,)).fetchall()
        if len(rows) >= LOGIN_FREE_FAILURES:
            backoff = min(2 ** (len(rows) - LOGIN_FREE_FAILURES + 1), LOGIN_MAX_BACKOFF)
            wait = rows[-1]["at"] + backoff - now
            if wait > 0:
                raise TooManyAttempts(int(wait) + 1)
        row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
        ok = verify_password(password, row["password_hash"] if row else _DUMMY_HASH) and row is not None
        if ok:
            db.execute("DELETE FROM login_failures WHERE key = ?", (account_key,))
            return name
        db.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(address_key, now), (account_key, now)])
        return None

    # -- sessions (server-side: the cookie carries a random id; revoking deletes the row) --------------------
    def new_session(self, name: str, hours: float = SESSION_HOURS) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        db = self._conn()
        db.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        db.execute("INSERT INTO sessions (id_hash, user, created_at, expires_at) VALUES (?, ?, ?, ?)",
                   (_token_hash(sid), name, now, now + hours * 3600))
        return sid

    def session_user(self, sid: str | None) -> str | None:
        if not sid or not isinstance(sid, str) or len(sid) > 100:
            return None
        row = self._conn().execute("SELECT user FROM sessions WHERE id_hash = ? AND expires_at > ?",
                                   (_token_hash(sid), time.time())).fetchone()
        return row["user"] if row else None

    def end_session(self, sid: str | None) -> bool:
        if not sid or not isinstance(sid, str):
            return False
        return self._conn().execute("DELETE FROM sessions WHERE id_hash = ?", (_token_hash(sid),)).rowcount == 1

    # -- tokens -------------------------------------------------------------------------------------------
    def _migrate_tokens(self) -> None:
        have = {r["name"] for r in self._conn().execute("PRAGMA table_info(tokens)")}
        for column, definition in TOKEN_COLUMNS.items():
            if column not in have:
                self._conn().execute(f"ALTER TABLE tokens ADD COLUMN {column} {definition}")

    def new_token(self, name: str, label: str = "", days: float | None = None) -> str:
        """A new API token for the user (shown once; only its hash is kept); it expires after ``days``."""
        if not self.exists(name):
            raise BadRequest(f"Gebruiker {name!r} bestaat niet.")
        if days is not None and not 0 < days <= 3650:
            raise BadRequest("Een token verloopt na 1 tot 3650 dagen.")
        label = " ".join(str(label or "").split())[:100]
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        self._conn().execute(
            "INSERT INTO tokens (token_hash, user, created_at, name, expires_at) VALUES (?, ?, ?, ?, ?)",
            (_token_hash(token), name, now, label, None if days is None else now + days * 86400),
        )
        return token

    def tokens(self, name: str | None = None) -> list[dict[str, Any]]:
        """The tokens (of one user, or all): id (the first 12 characters of the token's hash), user, name,
        created, expires (None: never), expired, last used. Never the token itself."""
        sql, args = "SELECT * FROM tokens", []
        if name:
            sql, args = sql + " WHERE user = ?", [name]
        now = time.time()
        return [
            {"id": r["token_hash"][:12], "user": r["user"], "name": r["name"], "created_at": _when(r["created_at"]),
             "expires_at": _when(r["expires_at"]), "expired": r["expires_at"] is not None and r["expires_at"] <= now,
             "last_used_at": _when(r["last_used_at"])}
            for r in self._conn().execute(sql + " ORDER BY created_at", args)
        ]

    def revoke_token(self, name: str, token_id: str) -> int:
        """Revoke one token of the user by its id (see tokens()); returns how many were revoked (0 or 1)."""
        if not re.fullmatch(r"[0-9a-f]{6,64}", token_id or ""):
            raise BadRequest("Een token-id bestaat uit 6 tot 64 tekens 0-9 en a-f (zie `kennisbank users tokens`).")
        rows = self._conn().execute("SELECT token_hash FROM tokens WHERE user = ? AND token_hash LIKE ?",
                                    (name, token_id + "%")).fetchall()
        if len(rows) > 1:
            raise BadRequest(f"Meer dan één token begint met {token_id}; geef meer tekens.")
        if rows:
            self._conn().execute("DELETE FROM tokens WHERE token_hash = ?", (rows[0]["token_hash"],))
        return len(rows)

    def revoke_tokens(self, name: str) -> int:
        return self._conn().execute("DELETE FROM tokens WHERE user = ?", (name,)).rowcount

    def revoke_sessions(self, name: str) -> int:
        return self._conn().execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount

    def user_for_token(self, token: str) -> str | None:
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        now = time.time()
        digest = _token_hash(token)
        row = self._conn().execute(
            "SELECT user FROM tokens WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)", (digest, now)
        ).fetchone()
        if row:
            self._conn().execute("UPDATE tokens SET last_used_at = ? WHERE token_hash = ?", (now, digest))
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


def _when(value: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(value)) if value else None


def console_path(settings) -> Path:
    return settings.data_dir / "console.sqlite"
