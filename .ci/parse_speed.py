"""CPU time of parse + clean + split of every PDF in a folder, with the code of the checkout it is run from.

Issue 13 allows the layout work at most 2x the CPU time of the code before it (commit bcc0e0d). Run it from
the root of each checkout, alternately, in the same minutes (the machine is shared):

    git worktree add /tmp/base bcc0e0d
    (cd /tmp/base && OMP_NUM_THREADS=1 python /path/to/.ci/parse_speed.py ../shared/real-pdfs)
    OMP_NUM_THREADS=1 python .ci/parse_speed.py ../shared/real-pdfs

with the same interpreter (an environment of this checkout). Prints one JSON line: pages, wall seconds, CPU
seconds, pages per CPU second, the load average, whether ``--freeze`` was given. The old code has its packages at
the top level (``ingest``), the new one inside ``kennisbank``; the checkout's own code is imported either way (its
folder is searched first).

``--freeze`` runs each parse of the checkout inside ``gc.freeze()`` / ``gc.collect()`` + ``gc.unfreeze()``, as
``ingest.parse_scope`` does since it was added: the old code timed with it compares like for like (the same
garbage-collector scope), so that ratio is the cost of the layout work alone, without what the scope saves.
"""

import gc
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
sys.path.insert(0, os.getcwd())
# the new layout has one package (an installed one may be another checkout's), the old one packages at the top
# level: the modules are looked up by name, so one script times both checkouts
PACKAGE = "kennisbank.ingest" if (Path.cwd() / "kennisbank" / "ingest").is_dir() else "ingest"
PublicationConverter = importlib.import_module(f"{PACKAGE}.converters").PublicationConverter
DutchTextCleaner = importlib.import_module(f"{PACKAGE}.cleaning").DutchTextCleaner
StructureSplitter = importlib.import_module(f"{PACKAGE}.chunking").StructureSplitter


def _frozen(parse):
    def parse_frozen(*args, **kwargs):
        gc.freeze()
        try:
            return parse(*args, **kwargs)
        finally:
            gc.collect()  # the parse's garbage, while the older objects are still frozen (as ingest.parse_scope)
            gc.unfreeze()
    return parse_frozen


def main(folder: str) -> None:
    pages, seconds, cpu = 0, 0.0, 0.0
    for path in sorted(Path(folder).glob("*.pdf")):
        wall, start = time.perf_counter(), time.process_time()
        documents = PublicationConverter().run(sources=[path])["documents"]
        if not documents:
            continue  # a PDF that cannot be read (a scan): not timed
        StructureSplitter().run(documents=DutchTextCleaner().run(documents=documents)["documents"])
        seconds += time.perf_counter() - wall
        cpu += time.process_time() - start
        pages += documents[0].meta["page_count"]
    print(json.dumps({"checkout": os.getcwd(), "pages": pages, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
                      "pages_per_cpu_s": round(pages / cpu, 2) if cpu else None, "load": os.getloadavg()[0],
                      "freeze": "--freeze" in sys.argv[1:]}))


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if argument != "--freeze"]
    if "--freeze" in sys.argv[1:]:  # parse_file calls parse_bytes by its module's name: the wrapper is taken
        parsing = importlib.import_module(f"{PACKAGE}.parsing")
        parsing.parse_bytes = _frozen(parsing.parse_bytes)
    main(arguments[0] if arguments else "../shared/real-pdfs")
