"""Commands that go through a running server instead of opening its data directory (which it owns):
`kennisbank search --url URL` and `kennisbank backup DEST --url URL` (with a staff token on stdin).

Plain HTTP with the standard library; an error answer becomes a KennisbankError with the server's message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from kennisbank.core.errors import KennisbankError

TIMEOUT_S = 600


def _url(base: str, path: str, query: dict[str, Any] | None = None) -> str:
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KennisbankError(f"--url must be the server's address, like http://127.0.0.1:5000 (not {base!r})", status=400)
    encoded = urllib.parse.urlencode(query or {}, doseq=True)
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{encoded}" if encoded else "")


def _open(request: urllib.request.Request):
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = exc.reason
        raise KennisbankError(f"{request.full_url}: {exc.code} {message}", status=exc.code) from None
    except urllib.error.URLError as exc:
        raise KennisbankError(f"{request.full_url}: the server does not answer ({exc.reason})", status=503) from None


def search(base: str, query: str, **params: Any) -> dict[str, Any]:
    """`GET /api/search` on the server: the same answer as KnowledgeBase.search."""
    args = {"q": query, **{k: v for k, v in params.items() if v not in (None, [], "")}}
    request = urllib.request.Request(_url(base, "/api/search", args), headers={"Accept": "application/json"})
    with _open(request) as response:
        return json.loads(response.read())


def fetch_backup(base: str, destination: Path, token: str, with_secret_key: bool = False) -> Path:
    """`POST /api/backup` with a staff token: the server writes a consistent backup; we keep it (mode 0600)."""
    if with_secret_key:
        raise KennisbankError("--with-secret-key is only possible on the server's own machine (without --url).",
                              status=400)
    if not token:
        raise KennisbankError("A backup through the server needs a staff token on stdin (--token-stdin).", status=400)
    destination = Path(destination)
    if destination.suffixes[-2:] != [".tar", ".gz"]:
        destination = destination.with_name(destination.name + ".tar.gz")
    request = urllib.request.Request(_url(base, "/api/backup"), data=b"", method="POST",
                                     headers={"Authorization": f"Bearer {token}"})
    partial = destination.with_name(destination.name + ".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, _open(request) as response:
            while block := response.read(1 << 20):
                out.write(block)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return destination
