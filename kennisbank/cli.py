"""The `kennisbank` command: ingest, add, search, serve, eval.

The data directory comes from --data-dir or KENNISBANK_DATA (default ./data); every other setting from
KENNISBANK_* variables (`kennisbank --help-settings` lists them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

# The product never downloads models nor phones home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from kennisbank.errors import KennisbankError  # noqa: E402
from kennisbank.settings import Settings  # noqa: E402

DEFAULT_CORPUS = Path("corpus")


def _settings(args) -> Settings:
    return Settings.load({"data_dir": args.data_dir})


def _open(settings: Settings):
    from search.service import KnowledgeBase

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
    from ingest.sources import resolve

    settings = _settings(args)
    sources = resolve([Path(p) for p in (args.paths or [DEFAULT_CORPUS])])
    if args.rebuild:
        from kennisbank.maintenance import rebuild

        report = rebuild(settings, sources, progress=not args.json)
    else:
        with _open(settings) as kb:
            report = kb.indexer().ingest(sources, progress=not args.json and sys.stderr.isatty(), optimize=True)
    _print_report(report, args.json)
    return 1 if report.failed and not args.allow_failures else 0


def cmd_add(args) -> int:
    from ingest.sources import Source, normalise_meta

    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        raise KennisbankError(f"{path}: no such file", status=400)
    if path.stat().st_size > settings.max_upload_mb * 1024 * 1024:
        raise KennisbankError(f"{path}: larger than {settings.max_upload_mb} MiB", status=413)
    meta = normalise_meta(
        {
            "title": args.title, "organisation": args.organisation or "", "year": args.year,
            "year_approximate": args.year_approximate, "kind": args.kind or "", "language": args.language,
            "sectors": args.sectors or [], "url": args.url or "",
        },
        "add",
    )
    # Keep the file in the data directory under our own name (id + content hash: a new version never
    # overwrites the file of the version still being served), with its metadata beside it (kennisbank.library,
    # the same layout as uploads in the staff console).
    from kennisbank import library

    with _open(settings) as kb:
        doc_id = _add_id(args, settings, kb, library)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        same = next((r.id for r in kb.catalog.all() if r.content_hash == digest and r.id != doc_id), None)
        if same:
            raise KennisbankError(f"{path} staat al in de kennisbank als {same} (zelfde inhoud); niet nog eens "
                                  "toegevoegd.", status=409)
        kept = library.copy_in(settings, path, doc_id)
        report = kb.indexer().ingest([Source(id=doc_id, path=settings.files_dir / kept, meta=meta)], optimize=True)
    outcome = report.outcomes[0]
    if outcome.status == "failed":
        if (library.sidecar(settings, doc_id) or {}).get("file") != kept:
            (settings.files_dir / kept).unlink(missing_ok=True)
    else:
        library.keep(settings, doc_id, kept, meta, path.name)
    _print_report(report, args.json)
    return 1 if outcome.status == "failed" else 0


def _add_id(args, settings, kb, library) -> str:
    """The id `kennisbank add` gives: a new one like the upload API (never another publication's), or with
    --replace ID the publication to replace (it must exist), or --id ID when that id is free."""
    from ingest.sources import check_id, slug

    taken = set(kb.catalog.iter_ids())
    if args.replace:
        if args.replace not in taken:
            raise KennisbankError(f"--replace {args.replace}: er is geen publicatie met die id.", status=404)
        return args.replace
    if args.id:
        check_id(args.id, "add")
        if args.id in taken or library.sidecar(settings, args.id):
            raise KennisbankError(
                f"De id {args.id} is al van een andere publicatie. Kies een andere id, of vervang die publicatie "
                f"bewust met --replace {args.id}.", status=409)
        return args.id
    return check_id(library.free_id(settings, slug(args.title), taken), "add")


def cmd_search(args) -> int:
    if args.url:  # through the running server (it owns the data directory)
        from kennisbank.remote import search

        response = search(args.url, args.query, k=args.k, kind=args.kind, organisation=args.organisation,
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
        print(f"{result['rank']}. {result['citation']}")
        print("   " + " ".join(result["text"].split())[:400])
        print()
    return 0


def cmd_serve(args) -> int:
    """The production server (waitress; see kennisbank.server): one process holds the data directory."""
    from kennisbank.server import serve

    return serve(_settings(args), args.host, args.port, threads=args.threads)


def cmd_eval(args) -> int:
    from evaluation.metrics import DEFAULT_QUESTIONS, MODES, evaluate, format_table, load_questions

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
    from ingest.framework import dumps, extract_from_catalog
    from kennisbank.catalog import Catalog

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
    """`kennisbank bench`: ingest and search speed, memory and disk against anchors (see evaluation/bench.py)."""
    from evaluation.bench import main_from_args

    return main_from_args(args)


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
    p.add_argument("--id", help="document id (default: made from the title; never one that is taken)")
    p.add_argument("--replace", metavar="ID", help="replace the publication with this id by this file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("search", help="search the knowledge base")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "bm25"])
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
    p.add_argument("--output", default="corpus/framework.json", help="data file (default: corpus/framework.json)")
    p.add_argument("--check", action="store_true", help="only compare with the data file; exit 1 if it differs")
    p.set_defaults(func=cmd_framework)

    p = sub.add_parser("eval", help="evaluate retrieval on a question file")
    p.add_argument("questions", nargs="?", help="JSONL question file (default: evaluation/dev-questions.jsonl)")
    p.add_argument("--split", help="only questions of this split (e.g. heldout)")
    p.add_argument("--modes", nargs="*", choices=["bm25", "dense", "hybrid", "bm25+thesaurus", "hybrid+thesaurus"],
                   help="retrieval configurations to compare (default: bm25 dense hybrid hybrid+thesaurus)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="benchmark ingest throughput, query latency, memory and disk (takes minutes)")
    from evaluation.bench import add_arguments as add_bench_arguments

    add_bench_arguments(p)
    p.set_defaults(func=cmd_bench)

    from kennisbank import admin  # users, reindex, backup, restore

    admin.add_commands(sub)
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
        print("Settings (environment variables; KENNISBANK_DATA is short for KENNISBANK_DATA_DIR):\n")
        for name, help_text, default in Settings.describe():
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
