"""Input limits on a real server (issue 12, case 8) and on the command line (case 10): deeply nested JSON, a
lone surrogate and control characters in a field are a 400 with a message, an oversized JSON body a 413 —
before, the first two were 500s; invalid UTF-8 in a command-line argument gave a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.webui.staff_helpers import Browser, Server, new_token

DOC = "zet-kwaliteit-op-de-eerste-plaats"


@pytest.fixture(scope="module")
def api(built_data_dir, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("limits")
    data_dir = shutil.copytree(built_data_dir, workdir / "data")
    token = new_token(make_settings(data_dir), "script")
    server = Server(data_dir, workdir / "server.log").start()
    yield Browser(server.base_url, headers={"Authorization": f"Bearer {token}"}), server
    server.stop()


def _patch(browser: Browser, body: bytes):
    return browser.request("PATCH", f"/api/documents/{DOC}", body, {"Content-Type": "application/json"})


@pytest.mark.parametrize("body,status,message", [
    (b"[" * 100_000 + b"]" * 100_000, 400, "te diep genest"),
    (b'{"title": ' + b"[" * 50 + b"1" + b"]" * 50 + b"}", 400, "te diep genest"),
    (b'{"title": "Titel \\ud800 met een losse surrogaat"}', 400, "U+D800"),
    (b'{"title": "Titel met een bel\\u0007"}', 400, "U+0007"),
    (b'{"title": "Titel", "sectors": ["po\\u0000"]}', 400, "U+0000"),
    (b'{"title": ' + b'"' + b"x" * 300_000 + b'"}', 413, "te groot"),
    (b'{"title": "onaf', 400, "geen geldige JSON"),
    (b'{"title": "\xff"}', 400, "UTF-8"),
])
def test_hostile_json_is_refused_with_a_message(api, body, status, message):
    browser, server = api
    got, _, text = _patch(browser, body)
    assert got == status, text[:300]
    assert message in json.loads(text)["error"]["message"]
    assert browser.get_json(f"/api/documents/{DOC}")["document"]["title"].startswith("Samen Opleiden")


def test_control_characters_in_a_form_field_are_refused(api):
    browser, _ = api
    status, _, text = browser.post_form("/api/documents", {"title": "Rapport\x1b[31m", "kind": "rapport"},
                                        {"file": ("r.txt", "Een tekst over leraren.".encode())})
    assert status == 400 and "U+001B" in json.loads(text)["error"]["message"]


def test_good_json_still_works(api):
    browser, _ = api
    status, _, text = _patch(browser, json.dumps({"title": "Zet kwaliteit op de eerste plaats – herzien"}).encode())
    assert status == 202, text[:300]


def test_invalid_utf8_in_a_command_line_argument_is_a_message():
    script = Path(sys.executable).with_name("kennisbank")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    for argv in ([b"search", b"leraren \xff\xfe"], [b"users", b"add", b"\xe9ls"], [b"--data-dir", b"/tmp/\xff"]):
        result = subprocess.run([os.fsencode(script), *argv], capture_output=True, env=env, timeout=120)
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode == 2, stderr
        assert "not valid UTF-8" in stderr and "Traceback" not in stderr
