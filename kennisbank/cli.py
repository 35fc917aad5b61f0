"""The `kennisbank` command: ingest, add, search, serve, eval.

The data directory comes from --data-dir or KENNISBANK_DATA (default ./data); every other setting from
KENNISBANK_* variables (`kennisbank --help-settings` lists them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kennisbank import admin, maintenance, remote
from kennisbank.app import KnowledgeBase
from kennisbank.core.catalog import Catalog
from kennisbank.core.errors import KennisbankError
from kennisbank.core.model import MODES as RETRIEVAL_MODES
from kennisbank.core.model import check_doc_id, publication_meta
from kennisbank.core.settings import CORPUS_DIR, Settings
from kennisbank.evaluation import bench, load
from kennisbank.evaluation.metrics import (
    CONFIGS,
    DEFAULT_QUESTIONS,
    MODES,
    evaluate,
    format_table,
    load_questions,
)
from kennisbank.ingest.check import check_file, format_report
from kennisbank.ingest.framework import dumps, extract_from_catalog
from kennisbank.ingest.sources import resolve
from kennisbank.search.framework import FRAMEWORK_FILE
from kennisbank.server import serve


def _settings(args) -> Settings:
    return Settings.load({"data_dir": args.data_dir})


def _open(settings: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(settings)


def _print_report(report, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    summary = report.summary()
    print(
        f"Klaar in {report.seconds:.1f} s: {summary['added']} toegevoegd, {summary['unchanged']} ongewijzigd, "
        f"{summary['replaced']} vervangen, {summary['updated']} metadata bijgewerkt, {summary['failed']} mislukt."
    )
    for outcome in report.outcomes:
        if outcome.status == "failed":
            print(f"  MISLUKT  {outcome.source}: {outcome.message} [{outcome.reason}]")
        elif outcome.status in ("added", "replaced"):
            print(f"  {outcome.status:<9}{outcome.doc_id}: {outcome.pages} pagina's, {outcome.chunks} passages")
        for warning in outcome.warnings:
            print(f"           waarschuwing: {warning}")


def cmd_ingest(args) -> int:
    settings = _settings(args)
    sources = resolve([Path(p) for p in (args.paths or [CORPUS_DIR])])
    if args.rebuild:
        report = maintenance.rebuild(settings, sources, progress=not args.json)
    else:
        with _open(settings) as kb:
            report = kb.indexer.ingest(sources, progress=not args.json and sys.stderr.isatty(), optimize=True)
    _print_report(report, args.json)
    return 1 if report.failed and not args.allow_failures else 0


def cmd_add(args) -> int:
    """Add one publication through the same path as an upload (ingest.publications): a new id unless
    ``--id`` names a free one; ``--replace ID`` gives an existing publication a new file."""
    settings = _settings(args)
    meta = publication_meta(
        {
            "title": args.title, "organisation": args.organisation or "", "year": args.year,
            "year_approximate": args.year_approximate, "kind": args.kind or "", "language": args.language,
            "sectors": args.sectors or [], "url": args.url or "",
        },
        "add",
    )
    with _open(settings) as kb:
        publications = kb.publications
        if args.replace:
            record = publications.existing(check_doc_id(args.replace, "add --replace"))
            doc_id, kind = record.id, "replace"
        elif args.id:
            doc_id, kind = check_doc_id(args.id, "add --id"), "add"
            if kb.catalog.get(doc_id) is not None:
                raise KennisbankError(f"id {doc_id!r} is already a publication: use --replace {doc_id} to give it a "
                                      "new file, or choose another id", status=409)
        else:
            doc_id, kind = publications.new_id(meta["title"]), "add"
        received = publications.receive_file(Path(args.file))
        publications.check_new(received, doc_id if kind == "replace" else None)
        name = publications.place(received, doc_id)
        result = publications.apply(kind, doc_id, file=name, meta=meta, original_name=received.original_name,
                                    optimize=True, discard_failed=True)
    _print_outcome(result, args.json)
    return 1 if result["status"] == "failed" else 0


def _print_outcome(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif result["status"] == "failed":
        print(f"MISLUKT  {result['source']}: {result['message']} [{result['reason']}]")
    else:
        label = {"added": "toegevoegd", "replaced": "vervangen", "updated": "metadata bijgewerkt",
                 "unchanged": "ongewijzigd"}.get(result["status"], result["status"])
        print(f"1 {label}: {result['doc_id']}, {result['pages']} pagina's, {result['chunks']} passages")
        for warning in result.get("warnings", []):
            print(f"  waarschuwing: {warning}")


def cmd_search(args) -> int:
    if args.url:  # through the running server (it owns the data directory)
        response = remote.search(args.url, args.query, k=args.k, kind=args.kind, organisation=args.organisation,
                          year_from=args.year_from, year_to=args.year_to, mode=args.mode)
    else:
        settings = _settings(args)
        with _open(settings) as kb:
            response = kb.search(
                args.query, k=args.k, kinds=args.kind, organisations=args.organisation,
                year_from=args.year_from, year_to=args.year_to, mode=args.mode,
            )
    if args.json:
        print(json.dumps(response, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(response['results'])} resultaten voor “{response['query']}” ({response['took_ms']:.0f} ms)\n")
    for result in response["results"]:
        print(f"{result['rank']}. {result['citation_in_text']} {result['citation']}")
        print("   " + " ".join(result["text"].split())[:400])
        print()
    return 0


def cmd_serve(args) -> int:
    """The production server (waitress; see kennisbank.server): one process holds the data directory."""
    return serve(_settings(args), args.host, args.port, threads=args.threads)


def cmd_eval(args) -> int:
    settings = _settings(args)
    questions = load_questions(Path(args.questions) if args.questions else DEFAULT_QUESTIONS)
    if args.split:
        questions = [q for q in questions if q.split == args.split]
    with _open(settings) as kb:
        result = evaluate(kb, questions, modes=args.modes or (*MODES, "hybrid+thesaurus"))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(f"{len(questions)} vragen, model {settings.embedding_model}\n")
        print(format_table(result["table"]))
    return 0


def cmd_framework(args) -> int:
    """`kennisbank framework extract`: parse the framework publication into corpus/framework.json."""
    settings = _settings(args)
    catalog = Catalog(settings.catalog_path)
    try:
        text = dumps(extract_from_catalog(catalog))
    finally:
        catalog.close()
    target = Path(args.output)
    if args.check:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        print(f"{target}: {'up to date' if same else 'differs from the publication: run kennisbank framework extract'}")
        return 0 if same else 1
    target.write_text(text, encoding="utf-8")
    print(f"{target} written: review the diff (git diff {target}) before committing.")
    return 0


def cmd_bench(args) -> int:
    """`kennisbank bench`: ingest and search speed, memory and disk against anchors (see evaluation/bench.py);
    with --load a load test against the production server (evaluation/load.py)."""
    return load.main_from_args(args) if args.load else bench.main_from_args(args)


def cmd_check(args) -> int:
    """`kennisbank check FILE...`: what each file gives when it goes in (see ingest/check.py); writes nothing."""
    reports = [check_file(Path(path)) for path in args.files]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        print("\n".join(format_report(report) for report in reports))
    return 0 if all(report["ok"] for report in reports) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kennisbank", description="Kennisbank Samen Opleiden & Professionaliseren")
    parser.add_argument("--data-dir", help="data directory (default: $KENNISBANK_DATA or ./data)")
    parser.add_argument("--help-settings", action="store_true", help="list every setting and exit")
    # --data-dir is accepted after the subcommand too (`kennisbank serve --data-dir D`)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="data directory")
    sub = parser.add_subparsers(dest="command")
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # type: ignore[method-assign]

    p = sub.add_parser("ingest", help="index publications (default: corpus/); unchanged ones are skipped")
    p.add_argument("paths", nargs="*", help="folders (with publications.toml) or files")
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it anew (new model/chunking)")
    p.add_argument("--allow-failures", action="store_true", help="exit 0 even when some files failed")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("add", help="add one publication; the file is kept in the data directory")
    p.add_argument("file")
    p.add_argument("--title", required=True)
    p.add_argument("--organisation", required=True)
    p.add_argument("--year", type=int)
    p.add_argument("--year-approximate", action="store_true")
    p.add_argument("--kind", required=True)
    p.add_argument("--language", default="nl")
    p.add_argument("--sectors", nargs="*")
    p.add_argument("--url")
    p.add_argument("--id", help="id of the new publication (default: made from the title, never an existing one)")
    p.add_argument("--replace", metavar="ID", help="give the existing publication ID this file as its new version")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("check", help="what files give when they go in: pages, passages, footnotes, defect flags")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("search", help="search the knowledge base")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", default="hybrid", choices=RETRIEVAL_MODES)
    p.add_argument("--kind", action="append")
    p.add_argument("--organisation", action="append")
    p.add_argument("--year-from", type=int)
    p.add_argument("--year-to", type=int)
    p.add_argument("--json", action="store_true")
    p.add_argument("--url", help="ask the running server at this URL (e.g. http://127.0.0.1:5000) instead of "
                                 "opening the data directory")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", help="serve the web UI and JSON API")
    p.add_argument("--host", default=os.environ.get("KENNISBANK_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("KENNISBANK_PORT", "5000")))
    p.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("framework", help="the framework publication as data (values, preconditions, evidence)")
    p.add_argument("action", choices=["extract"])
    p.add_argument("--output", default=str(FRAMEWORK_FILE), help="data file (default: the shipped corpus/framework.json)")
    p.add_argument("--check", action="store_true", help="only compare with the data file; exit 1 if it differs")
    p.set_defaults(func=cmd_framework)

    p = sub.add_parser("eval", help="evaluate retrieval on a question file")
    p.add_argument("questions", nargs="?", help="JSONL question file (default: evaluation/dev-questions.jsonl)")
    p.add_argument("--split", help="only questions of this split (e.g. heldout)")
    p.add_argument("--modes", nargs="*", choices=list(CONFIGS),
                   help="retrieval configurations to compare (default: bm25 dense hybrid hybrid+thesaurus)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="benchmark ingest throughput, query latency, memory and disk (takes minutes)")
    bench.add_arguments(p)
    p.set_defaults(func=cmd_bench)

    admin.add_commands(sub)  # users, reindex, backup, restore
    return parser


def check_arguments(argv: list[str]) -> str | None:
    """A message for the first argument that is not valid UTF-8 (Python hands such bytes over as lone
    surrogates, which fail later with a traceback), else None."""
    for number, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "replace")
            return (f"argument {number} ({shown[:80]!r}) is not valid UTF-8; type it again, or rename the file "
                    "to a UTF-8 name.")
    return None


def main(argv: list[str] | None = None) -> int:
    problem = check_arguments(sys.argv[1:] if argv is None else argv)
    if problem:
        print(f"kennisbank: {problem}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.help_settings:
        print("Settings (environment variables; KENNISBANK_DATA is short for KENNISBANK_DATA_DIR):")
        section = None
        for group, name, help_text, default in Settings.describe():
            if group != section:
                section = group
                print(f"\n== {section} ==\n")
            print(f"{name}  (default: {default!s})\n    {help_text}\n")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KennisbankError as exc:
        print(f"kennisbank: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
