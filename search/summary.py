"""The optional written summary of an answer: a short Dutch text from an OpenAI-compatible chat endpoint
(settings ``llm_url``, ``llm_model``, ``llm_api_key``; off when ``llm_url`` is empty), built only from the
evidence on the answer page and checked before it is shown.

Every sentence must carry citation keys of evidence on the page ([F1] findings, [Q1] quotes, [P1] passages);
a sentence without a key, or with a key that is not on the page, is removed. If the endpoint is down or
answers nonsense, the answer stays complete and the summary is absent with a note saying why.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT_S = 30
MAX_EVIDENCE = 12
_KEYS = re.compile(r"\[\s*([A-Z]\d+(?:\s*[,;]\s*[A-Z]\d+)*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

SYSTEM_PROMPT = (
    "Je schrijft een korte Nederlandse samenvatting (hoogstens vijf zinnen) van wat het onderzoek en de praktijk "
    "zeggen over de vraag van een lerarenopleider. Gebruik alleen het bewijs hieronder. Zet achter elke zin de "
    "sleutel(s) van het bewijs waar de zin op steunt, tussen rechte haken, bijvoorbeeld [F1] of [F2][Q1]. "
    "Een zin zonder sleutel wordt weggelaten. Verzin geen bronnen, cijfers of sleutels."
)


class SummaryUnavailable(Exception):
    """The endpoint could not be reached or gave no usable answer."""


def evidence_lines(answer: dict[str, Any]) -> list[tuple[str, str]]:
    items = [(f["key"], f"{f['text']} ({f['citation']})") for f in answer["findings"]]
    items += [(q["key"], f"“{q['text']}” ({q['speaker']})") for q in answer["quotes"]]
    items += [(p["key"], f"{p['text']} ({p['citation_in_text']})") for p in answer["passages"]]
    return items[:MAX_EVIDENCE]


def build_messages(answer: dict[str, Any]) -> list[dict[str, str]]:
    evidence = "\n".join(f"[{key}] {text}" for key, text in evidence_lines(answer))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Vraag: {answer['query']}\n\nBewijs:\n{evidence}"},
    ]


def chat(url: str, model: str, api_key: str, messages: list[dict[str, str]], timeout: float = TIMEOUT_S) -> str:
    """POST ``{url}/chat/completions`` and return the first choice's content."""
    endpoint = url.rstrip("/") + ("/chat/completions" if not url.rstrip("/").endswith("/chat/completions") else "")
    body = json.dumps({"model": model, "messages": messages, "temperature": 0}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
        return str(data["choices"][0]["message"]["content"])
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise SummaryUnavailable(f"{type(exc).__name__}: {exc}") from exc


def checked_sentences(content: str, keys: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """(kept sentences with their keys, removed sentences): a sentence is kept only if it cites at least one key
    and every key it cites is in ``keys``."""
    kept, removed = [], []
    for sentence in (s.strip() for s in _SENTENCE_END.split(content or "")):
        if not sentence:
            continue
        cited = [k.strip() for group in _KEYS.findall(sentence) for k in re.split(r"[,;]", group)]
        if cited and all(k in keys for k in cited):
            kept.append({"text": sentence, "keys": list(dict.fromkeys(cited))})
        else:
            removed.append(sentence)
    return kept, removed


def add_summary(answer: dict[str, Any], settings) -> dict[str, Any]:
    """Put ``summary`` (or ``summary_note`` saying why there is none) into ``answer``; never raises."""
    answer["summary"], answer["summary_note"] = None, None
    if not settings.llm_url or answer.get("status") != "answered":
        return answer
    keys = {item["key"] for kind in ("findings", "quotes", "passages") for item in answer[kind]}
    try:
        content = chat(settings.llm_url, settings.llm_model, settings.llm_api_key, build_messages(answer))
    except SummaryUnavailable as exc:
        log.warning("Summary unavailable: %s", exc)
        answer["summary_note"] = "De samenvatting is nu niet beschikbaar; het bewijs hieronder is volledig."
        return answer
    kept, removed = checked_sentences(content, keys)
    if removed:
        log.info("Summary: %d sentence(s) removed for missing or unknown citation keys", len(removed))
    if not kept:
        answer["summary_note"] = "Er is geen samenvatting: geen enkele zin verwees naar het bewijs op deze pagina."
        return answer
    answer["summary"] = {
        "sentences": kept, "removed": len(removed), "model": settings.llm_model,
        "note": "Automatisch geschreven samenvatting; elke zin verwijst naar het bewijs hieronder"
                + (f" ({len(removed)} zin(nen) zonder geldige verwijzing weggelaten)." if removed else "."),
    }
    return answer
