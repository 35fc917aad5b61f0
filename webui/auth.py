"""Staff sign-in: sessions (browser), API tokens (scripts), CSRF tokens, rate-limited login, body-size limits.

    GET  /inloggen            sign-in form                 POST /inloggen    (CSRF; throttled: 429 + Retry-After)
    POST /uitloggen           sign out (CSRF; the session is revoked on the server)

A browser signs in with a password and gets a session cookie (HttpOnly, SameSite=Lax, Secure when
``secure_cookies`` is set), signed with a key kept in ``DATA_DIR/secret_key``. The cookie carries only a random
session id; the session lives in console.sqlite and ends at logout, on a password change and after 12 hours,
so neither a copied cookie nor a leaked signing key lets anyone in after that. A script sends
``Authorization: Bearer <token>`` (``kennisbank users token NAME``); a token request carries no ambient
credential, so it needs no CSRF token. Every form carries ``csrf_token`` (or a request the
``X-CSRF-Token`` header); a session request that changes something without the right one gets 403.

``staff_required`` guards a blueprint: anonymous API or JSON requests get 401, pages redirect to the form.
"""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)

from kennisbank.core.accounts import SESSION_HOURS, Accounts, TooManyAttempts, console_path
from kennisbank.core.errors import KennisbankError
from kennisbank.webui.render import render, wants_json

bp = Blueprint("auth", __name__)

ACCOUNTS = "kennisbank.accounts"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Room for the multipart envelope and the metadata fields around an uploaded file.
MULTIPART_OVERHEAD = 256 * 1024


class Unauthorized(KennisbankError):
    status = 401


class Forbidden(KennisbankError):
    status = 403


def accounts() -> Accounts:
    return current_app.extensions[ACCOUNTS]


def secret_key(data_dir: Path) -> bytes:
    """The app's signing key: made once (random, mode 0600) and kept, so sessions survive a restart."""
    path = Path(data_dir) / "secret_key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


# -- who is asking --------------------------------------------------------------------------------------------


def current_user() -> str | None:
    """The staff member behind this request (token or session), or None. Cached on ``g``."""
    if "user" in g:
        return g.user
    g.user, g.via = None, None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            g.user = accounts().user_for_token(token.strip())
            g.via = "token" if g.user else None
            return g.user
    # the cookie only carries a random session id; the session itself lives (and is revoked) on the server
    name = accounts().session_user(session.get("sid"))
    if name:
        g.user, g.via = name, "session"
    return g.user


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise Forbidden("Het formulier is verlopen of niet van deze site (CSRF-token ontbreekt of klopt niet). "
                        "Laad de pagina opnieuw en probeer het nog eens.")


def staff_required() -> object | None:
    """``before_request`` of the staff blueprint: who may change the collection, and only with a CSRF token."""
    user = current_user()
    if user is None:
        if wants_json() or request.method not in SAFE_METHODS:
            error = Unauthorized("Inloggen is nodig: gebruik een beheeraccount of een API-token (Authorization: Bearer).")
            raise error
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if request.method not in SAFE_METHODS and g.via == "session":
        check_csrf()
    return None


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //evil.example) is a place to go after signing in."""
    if not target:
        return url_for("staff.home")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("staff.home")
    return target


# -- views ----------------------------------------------------------------------------------------------------


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    message, status, name = None, 200, ""
    if request.method == "POST":
        check_csrf()
        name = request.form.get("name", "").strip().lower()[:64]
        password = request.form.get("password", "")[:1024]
        try:
            user = accounts().authenticate(name, password, request.remote_addr or "?")
        except TooManyAttempts as exc:
            response = render("login.html", {"error": {"status": 429, "message": exc.message}}, status=429, name=name)
            response = current_app.make_response(response)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user:
            session.clear()
            session.permanent = True
            session["sid"] = accounts().new_session(user, SESSION_HOURS)
            csrf_token()  # a fresh token for the new session
            accounts().audit(user, "login")
            return redirect(_safe_next(request.args.get("next")))
        accounts().audit(name or "(leeg)", "login-failed", address=request.remote_addr or "?")
        message, status = "Onbekende gebruikersnaam of verkeerd wachtwoord.", 401
    data = {"error": {"status": status, "message": message}} if message else {"user": current_user()}
    return render("login.html", data, status=status, name=name)


@bp.post("/uitloggen")
def logout():
    check_csrf()
    sid = session.get("sid")
    user = accounts().session_user(sid)
    accounts().end_session(sid)  # revoked on the server: a copy of the cookie no longer works
    session.clear()
    if user:
        accounts().audit(user, "logout")
    return redirect(url_for("search.index"))


# -- app wiring -----------------------------------------------------------------------------------------------


def limit_body() -> None:
    """Refuse a body larger than the route allows from its Content-Length, before any of it is read.

    Upload routes (views marked with ``upload_route``) take ``max_upload_mb``; everything else the app's
    MAX_CONTENT_LENGTH (1 MiB). A body without Content-Length (chunked) is cut off at the same limit while read.
    """
    view = current_app.view_functions.get(request.endpoint or "")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if getattr(view, "upload_route", False):
        limit = current_app.config["KENNISBANK_SETTINGS"].max_upload_mb * 1024 * 1024 + MULTIPART_OVERHEAD
        request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)


def upload_route(view):
    view.upload_route = True
    return view


def init_app(app: Flask, settings) -> None:
    app.secret_key = app.config.get("SECRET_KEY") or secret_key(settings.data_dir)
    app.config.update(
        SESSION_COOKIE_NAME="kennisbank_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.secure_cookies),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.extensions[ACCOUNTS] = Accounts(console_path(settings))
    app.before_request(limit_body)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_user"] = current_user
    app.register_blueprint(bp)
