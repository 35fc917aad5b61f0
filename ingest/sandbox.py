"""Parse an untrusted file in a child process with a time and a memory limit.

A hostile upload (a decompression bomb, a PDF whose content stream loops for ever, a parser crash) must fail
its own job and nothing else. ``parse_in_child`` runs ``python -m kennisbank.ingest.sandbox FILE`` which, after its
imports, limits its address space (``RLIMIT_AS``: start-up size plus ``memory_mb``) and CPU time
(``RLIMIT_CPU``), parses with ``ingest.parsing.parse_file`` and prints the pages as JSON. The parent
kills it after ``timeout_s`` seconds of wall time.

Outcomes beyond those of ``parse_file`` (``ConversionError`` reasons):

``timeout``    parsing took longer than the time limit
``too_large``  parsing needed more memory than the limit
``crashed``    the parser died (a signal, an interpreter crash) without an answer
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pypdf

from kennisbank.core.environment import OFFLINE
from kennisbank.core.errors import ConversionError
from kennisbank.ingest.parsing import ParsedPublication, parse_bytes, parse_file

MiB = 1024 * 1024


def parse_in_child(path: Path, timeout_s: int = 120, memory_mb: int = 768):
    """``parse_file(path)`` in a limited child process; same result or the same ``ConversionError``."""
    command = [sys.executable, "-m", "kennisbank.ingest.sandbox", str(path), str(int(memory_mb)), str(int(timeout_s))]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR")}
    env.update(OFFLINE, OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=timeout_s, env=env, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired:
        raise ConversionError(
            "timeout", f"Reading the file took longer than {timeout_s} s and was stopped (the file may be hostile)"
        ) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = None
    if not isinstance(answer, dict):
        if done.returncode in (-9, -24):  # SIGKILL, SIGXCPU: the CPU limit
            raise ConversionError(
                "timeout", f"Reading the file used more than {timeout_s} s of CPU time and was stopped"
            )
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in tail[0]:
            raise ConversionError("too_large", f"Reading the file needed more than {memory_mb} MiB of memory")
        raise ConversionError("crashed", f"The file reader stopped unexpectedly (exit {done.returncode}) {tail[0][:200]}")
    if not answer.get("ok"):
        raise ConversionError(answer["reason"], answer["message"])
    return ParsedPublication(
        pages=answer["pages"], paginated=answer["paginated"], format=answer["format"], warnings=answer["warnings"]
    )


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _warm_up() -> None:
    """Parse a blank PDF once, so every module the parser loads lazily is loaded before the limits apply."""
    import io

    buffer = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.write(buffer)
    try:
        parse_bytes(buffer.getvalue())
    except ConversionError:
        pass  # a blank page has no text layer: expected


def _child(path: str, memory_mb: int, cpu_s: int) -> int:
    # parsing is imported at the top, before the limits: imports are not the file's fault
    _warm_up()
    limit = _vm_size() + memory_mb * MiB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        parsed = parse_file(Path(path))
        answer = {"ok": True, "pages": parsed.pages, "paginated": parsed.paginated, "format": parsed.format,
                  "warnings": parsed.warnings}
    except ConversionError as exc:
        reason = "too_large" if "MemoryError" in exc.message else exc.reason  # pypdf's except-all caught it
        answer = {"ok": False, "reason": reason, "message": exc.message}
    except MemoryError:
        answer = {"ok": False, "reason": "too_large", "message": f"Reading the file needed more than {memory_mb} MiB of memory"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
