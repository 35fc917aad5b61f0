"""Turn query-string parameters into arguments for ``KnowledgeBase.search``, or refuse them with a clear message.

The back end validates too; we check first so that every refusal reaches the user in Dutch, and so that odd
input (NUL bytes, huge numbers, unknown filter values) never gets as far as the store.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from werkzeug.datastructures import MultiDict

from kennisbank.core.errors import BadRequest
from kennisbank.core.model import K_DEFAULT, K_MAX, K_MIN, validate_mode, validate_query

YEAR_MIN, YEAR_MAX = 1000, 9999
MAX_FILTER_VALUES = 50

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Control characters (NUL and friends) become spaces; the rest is kept as typed."""
    return _CONTROL.sub(" ", value)


def parse_query(args: MultiDict) -> str:
    return validate_query(clean_text(args.get("q", "")))


def _int(args: MultiDict, name: str, label: str, lo: int, hi: int, default: int | None) -> int | None:
    raw = args.get(name, "").strip()
    if raw == "":
        return default
    if not re.fullmatch(r"[+-]?[0-9]{1,9}", raw):
        raise BadRequest(f"{label} moet een geheel getal zijn, niet “{clean_text(raw)[:40]}”.")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(f"{label} moet tussen {lo} en {hi} liggen (niet {value}).")
    return value


def _choices(args: MultiDict, name: str, label: str, known: list[str]) -> list[str]:
    values = [v for v in (clean_text(v).strip() for v in args.getlist(name)) if v]
    if len(values) > MAX_FILTER_VALUES:
        raise BadRequest(f"Te veel waarden voor {label} (maximaal {MAX_FILTER_VALUES}).")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise BadRequest(
            f"Onbekende {label}: “{unknown[0][:80]}”. Kies uit: {', '.join(known) or '(geen)'}."
        )
    return list(dict.fromkeys(values))


def parse_search(args: MultiDict, facets: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``KnowledgeBase.search`` from the request's query string.

    ``facets`` is ``KnowledgeBase.facets()``: filter values must be ones that exist in the index.
    """
    query = parse_query(args)
    k = _int(args, "k", "Het aantal resultaten (k)", K_MIN, K_MAX, K_DEFAULT)
    year_from = _int(args, "year_from", "Het jaar ‘vanaf’", YEAR_MIN, YEAR_MAX, None)
    year_to = _int(args, "year_to", "Het jaar ‘tot en met’", YEAR_MIN, YEAR_MAX, None)
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadRequest(f"Het jaar ‘vanaf’ ({year_from}) ligt na het jaar ‘tot en met’ ({year_to}).")
    mode = validate_mode(clean_text(args.get("mode", "")).strip() or "hybrid")
    return {
        "query": query,
        "k": k,
        "kinds": _choices(args, "kind", "soort", list(facets.get("kinds") or [])) or None,
        "organisations": _choices(args, "organisation", "organisatie", list(facets.get("organisations") or []))
        or None,
        "year_from": year_from,
        "year_to": year_to,
        "mode": mode,
        # only when asked: front ends without the framework keep their search signature
        **({"values": values} if (values := _choices(args, "waarde", "waarde", list(facets.get("values") or []))) else {}),
        **({"sectors": sectors} if (sectors := _choices(args, "sector", "sector", list(facets.get("sectors") or []))) else {}),
    }


def form_state(args) -> dict[str, Any]:
    """What the user typed, to fill the form in again (raw strings; the template escapes them)."""

    def one(name: str, limit: int = 100) -> str:
        return clean_text(args.get(name, ""))[:limit]

    return {
        "q": one("q", 1100),
        "kind": [clean_text(v) for v in args.getlist("kind")][:50],
        "organisation": [clean_text(v) for v in args.getlist("organisation")][:50],
        "year_from": one("year_from", 12),
        "year_to": one("year_to", 12),
        "k": one("k", 12),
        "mode": one("mode", 20),
        "waarde": [clean_text(v) for v in args.getlist("waarde")][:50],
        "sector": [clean_text(v) for v in args.getlist("sector")][:50],
    }
