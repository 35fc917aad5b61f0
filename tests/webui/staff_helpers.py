"""Helpers of the staff console tests: accounts, signing in through the real form, reading CSRF tokens."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kennisbank.core.accounts import Accounts, console_path
from kennisbank.core.environment import OFFLINE
from tests.pdfmaker import pdf_bytes as make_pdf_bytes

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(settings, name: str, password: str = PASSWORD) -> None:
    accounts = Accounts(console_path(settings))
    if not accounts.exists(name):
        accounts.add_user(name, password)
    accounts.close()


def new_token(settings, name: str) -> str:
    add_user(settings, name)
    accounts = Accounts(console_path(settings))
    try:
        return accounts.new_token(name)
    finally:
        accounts.close()


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Sign in through the form; returns the response of the POST."""
    page = client.get("/inloggen")
    assert page.status_code == 200
    return client.post("/inloggen", data={"name": name, "password": password,
                                           "csrf_token": csrf_from(page.get_data(as_text=True))})


def csrf(client) -> str:
    return csrf_from(client.get("/beheer").get_data(as_text=True))


def wait_for_job(client, job_id: str, seconds: float = 120, headers=None) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/api/jobs/{job_id}", headers=headers or {}).get_json()["job"]
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['state']} after {seconds} s"
        time.sleep(0.2)


def pdf_bytes(pages: list[list[str]], user_password: str | None = None) -> bytes:
    """A real PDF with one line per entry; optionally encrypted with a user password."""
    return make_pdf_bytes(pages, user_password=user_password)


def upload(client, data: bytes, filename: str, headers=None, **meta):
    fields = {"title": "Testpublicatie", "organisation": "Testorganisatie", "year": "2024", "kind": "rapport",
              "sectors": "po, vo", "url": "https://example.org/rapport"}
    fields.update(meta)
    fields["file"] = (io.BytesIO(data), filename)
    return client.post("/api/documents", data=fields, headers=headers or {}, content_type="multipart/form-data")


# -- a real server --------------------------------------------------------------------------------------------


class Server:
    """``kennisbank serve`` on a free loopback port over ``data_dir``; start(), kill(), stop()."""

    def __init__(self, data_dir, log_path, env: dict | None = None):
        self.data_dir, self.log_path, self.extra_env = data_dir, log_path, env or {}
        self.process = None
        self.base_url = ""

    def start(self, timeout: float = 180) -> "Server":
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        script = Path(sys.executable).with_name("kennisbank")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "kennisbank.cli"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
        env.update(OFFLINE, PYTHONUNBUFFERED="1", **self.extra_env)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command + ["--data-dir", str(self.data_dir), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"server exited:\n{self.log_path.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(self.base_url + "/api/documents", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            assert time.monotonic() < deadline, f"server did not start:\n{self.log_path.read_text()[-3000:]}"
            time.sleep(0.3)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except Exception:
                self.process.kill()
                self.process.wait(timeout=30)


class Browser:
    """urllib with a cookie jar, no automatic redirects: (status, headers, body) per request."""

    def __init__(self, base_url: str, headers: dict | None = None):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base_url = base_url
        self.headers = headers or {}
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None):
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(req, timeout=120) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8")

    def get(self, path: str):
        return self.request("GET", path)

    def get_json(self, path: str) -> dict:
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)

    def post_form(self, path: str, fields: dict, files: dict | None = None):
        if not files:
            return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        boundary = "----kb" + secrets.token_hex(8)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def wait_for_job(self, job_id: str, seconds: float = 300) -> dict:
        deadline = time.monotonic() + seconds
        while True:
            job = self.get_json(f"/api/jobs/{job_id}")["job"]
            if job["state"] in ("done", "failed"):
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['state']}"
            time.sleep(0.3)
