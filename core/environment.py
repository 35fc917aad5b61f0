"""The process environment the product runs in: offline, no telemetry, one place.

Nothing downloads model weights or phones home: the models ship inside pip packages. ``OFFLINE`` is set
(where not set already) when the ``kennisbank`` package is imported, before Haystack or Hugging Face read it;
child processes (the parsing sandbox, test servers) get the same variables through ``child_environment``.
"""

from __future__ import annotations

import os
from typing import Mapping

OFFLINE: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> None:
    for name, value in OFFLINE.items():
        environ.setdefault(name, value)


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the offline variables forced, plus ``extra``."""
    return {**os.environ, **OFFLINE, **(extra or {})}
