"""The optional written summary against a real local HTTP server speaking /v1/chat/completions: the product's
client, prompt and citation check run for real; the server only returns canned content."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kennisbank.search.answer import Answerer
from kennisbank.search.summary import add_summary, build_messages, checked_sentences
from kennisbank.webui.app import create_app

QUESTION = "Helpt samen opleiden tegen uitval van startende leraren?"


class ChatServer:
    """A loopback server answering POST /v1/chat/completions with ``content``; records what it was sent."""

    def __init__(self, content: str):
        self.content = content
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if self.path != "/v1/chat/completions":
                    self.send_response(404)
                    self.end_headers()
                    return
                reply = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": outer.content},
                                                 "finish_reason": "stop"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


CANNED = (
    "Samen opleiden hangt samen met meer behoud van startende leraren [F1]. "
    "Dit is een zin zonder bron. "
    "Goede begeleiding helpt startende docenten [Q1][F1]. "
    "Uitval daalt met negentig procent [F99]. "
    "Ook andere passages wijzen hierop [P1, F2]."
)


@pytest.fixture(scope="module")
def the_answer(kb):
    return Answerer(kb).answer(QUESTION)


def test_summary_keeps_only_cited_sentences(kb, the_answer):
    data = dict(the_answer)
    with ChatServer(CANNED) as server:
        add_summary(data, kb.settings.replace(llm_url=server.url, llm_model="test-model", llm_api_key="sekret"))
    summary = data["summary"]
    texts = [s["text"] for s in summary["sentences"]]
    assert texts == [
        "Samen opleiden hangt samen met meer behoud van startende leraren [F1].",
        "Goede begeleiding helpt startende docenten [Q1][F1].",
        "Ook andere passages wijzen hierop [P1, F2].",
    ]
    assert summary["sentences"][2]["keys"] == ["P1", "F2"] and summary["removed"] == 2
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sekret"
    assert sent["body"]["model"] == "test-model"
    prompt = sent["body"]["messages"][1]["content"]
    assert QUESTION in prompt and f"[F1] {the_answer['findings'][0]['text']}" in prompt


def test_endpoint_down_leaves_answer_complete(kb, the_answer):
    with ChatServer("") as server:
        url = server.url
    data = dict(the_answer)  # the server is shut down: nothing listens on its port
    add_summary(data, kb.settings.replace(llm_url=url, llm_model="m"))
    assert data["summary"] is None and "niet beschikbaar" in data["summary_note"]
    assert data["findings"] == the_answer["findings"] and data["quotes"] == the_answer["quotes"]


def test_off_by_default(kb, the_answer):
    data = add_summary(dict(the_answer), kb.settings)
    assert kb.settings.llm_url == "" and data["summary"] is None and data["summary_note"] is None


def test_no_valid_sentence_means_no_summary(kb, the_answer):
    with ChatServer("Alles is goed. Echt waar [X1].") as server:
        data = add_summary(dict(the_answer), kb.settings.replace(llm_url=server.url, llm_model="m"))
    assert data["summary"] is None and "geen enkele zin" in data["summary_note"]


def test_checked_sentences_unit():
    kept, removed = checked_sentences("A [F1]. B. C [F1; Q2]. D [F3].", {"F1", "Q2"})
    assert [k["text"] for k in kept] == ["A [F1].", "C [F1; Q2]."] and removed == ["B.", "D [F3]."]


def test_messages_list_every_key(the_answer):
    content = build_messages(the_answer)[1]["content"]
    assert all(f"[{f['key']}]" in content for f in the_answer["findings"])


def test_answer_page_shows_checked_summary(kb):
    with ChatServer(CANNED) as server:
        app = create_app(kb.settings.replace(llm_url=server.url, llm_model="m"), kb=kb,
                         test_config={"TESTING": True, "KENNISBANK_JOBS_WORKER": False})
        client = app.test_client()
        body = client.get("/vraag", query_string={"q": QUESTION}).get_data(as_text=True)
        data = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    assert 'id="samenvatting"' in body and "Dit is een zin zonder bron" not in body
    assert "negentig procent" not in body and "meer behoud van startende leraren [F1]." in body
    assert len(data["summary"]["sentences"]) == 3 and data["findings"]
