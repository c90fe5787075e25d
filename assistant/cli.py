"""Command line: `python -m assistant ask ...` and the ingest script's flags."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import Settings
from .ingestion import IngestLockedError
from .store import IndexMismatchError


def _filters(args: argparse.Namespace) -> dict:
    return {"doc_type": args.type, "topic": args.topic, "country": args.country,
            "sector": args.sector}


def _print_answer(answer: dict) -> None:
    print(answer["answer"])
    if answer["citations"]:
        print("\nSources:")
        for c in answer["citations"]:
            where = f" › {c['section']}" if c["section"] else ""
            page = f", p. {c['page']}" if c.get("page") else ""
            print(f"  [{c['n']}] {c['title']}{where} ({c['source']}{page})")


def ask(args: argparse.Namespace, settings: Settings) -> int:
    from .service import QuestionError, build_assistant

    if not args.question and not args.questions:
        print("error: give a QUESTION or --questions FILE", file=sys.stderr)
        return 2
    assistant = build_assistant(settings)
    assistant.ensure_ingested()
    if args.questions:
        lines = Path(args.questions).read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    else:
        questions = [args.question]
    status = 0
    asked: list[str] = []  # with --conversation, each question may follow up the ones before
    for question in questions:
        try:
            answer = assistant.ask(question, k=args.k, filters=_filters(args),
                                   history=asked if args.conversation else None,
                                   detail=args.detail).to_json()
            asked.append(answer["standalone_question"])
        except QuestionError as exc:
            if args.json:
                print(json.dumps({"question": question, "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            print(json.dumps(answer, ensure_ascii=False), flush=True)
        else:
            _print_answer(answer)
    return status


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    from .service import ingest_paths

    overrides = {key: value for key, value in (
        ("type", args.type),
        ("countries", [c.strip().upper() for c in args.countries.split(",")]
         if args.countries else None),
        ("topics", [t.strip() for t in args.topics.split(",")] if args.topics else None),
        ("sectors", [t.strip() for t in args.sectors.split(",")] if args.sectors else None),
    ) if value}
    try:
        report = ingest_paths(settings, [Path(p) for p in args.paths] or None, prune=args.prune,
                              dry_run=args.dry_run, rebuild=args.rebuild, wait=args.wait,
                              overrides=overrides or None)
    except IngestLockedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except IndexMismatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary = report.summary()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        verb = "would be " if args.dry_run else ""
        print(f"{'DRY RUN, nothing written: ' if args.dry_run else ''}{verb}added {report.added}, "
              f"{verb}updated {report.updated}, unchanged {report.unchanged}, {verb}removed "
              f"{report.removed}, failed {len(report.failed)}; {report.chunks} chunks in "
              f"{summary['seconds']} s ({summary['words_per_s']} words/s, "
              f"{summary['chunks_per_s']} chunks/s)")
        for failure in report.failed:
            print(f"  FAILED {failure['path']}: {failure['error']}")
    return 0 if report.ok else 1


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from .evaluation import evaluate as run_eval
    from .evaluation import evaluate_coverage, evaluate_quality, load_questions
    from .service import build_assistant

    assistant = build_assistant(settings)
    assistant.ensure_ingested()
    eval_dir = settings.knowledge_dir / "eval"
    paths = [Path(p) for p in args.files] or [eval_dir]
    report = {"retrieval": run_eval(assistant, load_questions(paths)).summary()}
    if not args.files:  # the coverage and answer-quality sets, on the half asked for
        for name, run in (("coverage", evaluate_coverage), ("quality", evaluate_quality)):
            path = eval_dir / name / f"{args.split}.jsonl"
            if path.exists():
                report[f"{name} ({args.split})"] = run(assistant, load_questions([path]))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for part, summary in report.items():
        print(f"== {part}")
        for miss in summary.pop("misses"):
            if args.misses:
                print("  miss:", json.dumps(miss, ensure_ascii=False))
        for key, value in summary.items():
            print(f"{key:>34}: {value}")
    return 0


def hash_password(args: argparse.Namespace, settings: Settings) -> int:
    """Print a `scrypt$…` hash for ASSISTANT_AUTH, so no plain password sits in a service file."""
    import getpass

    from .auth import hash_password as make_hash

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    else:  # piped in: the first line
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("error: the password is shorter than 8 characters", file=sys.stderr)
        return 2
    hashed = make_hash(password)
    print(f"{args.user}:{hashed}" if args.user else hashed)
    return 0


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", choices=["guidance", "case-study", "agreement", "reference"])
    parser.add_argument("--topic")
    parser.add_argument("--country", help="ISO 3166-1 alpha-3 code, e.g. JPN")
    parser.add_argument("--sector")


def ingest_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingest.py", description="Sync files into the index.")
    parser.add_argument("paths", nargs="*", help="files or folders (default: knowledge/)")
    parser.add_argument("--json", action="store_true", help="end with one JSON summary line")
    parser.add_argument("--prune", action="store_true",
                        help="remove documents whose files are gone from the given folders")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("--rebuild", action="store_true",
                        help="build the index afresh from these paths, swapped in when complete")
    parser.add_argument("--wait", action="store_true", help="wait for another running ingest")
    parser.add_argument("--type", choices=["guidance", "case-study", "agreement", "reference"],
                        help="document type for files without their own metadata")
    parser.add_argument("--countries", help="ISO alpha-3 codes, e.g. JPN,MEX")
    parser.add_argument("--topics", help="topics from knowledge/README.md, comma-separated")
    parser.add_argument("--sectors", help="sectors from knowledge/README.md, comma-separated")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    ask_p = sub.add_parser("ask", help="answer a question with citations")
    ask_p.add_argument("question", nargs="?")
    ask_p.add_argument("--questions", help="JSON-lines file of {\"question\": ...}")
    ask_p.add_argument("--json", action="store_true")
    ask_p.add_argument("--conversation", action="store_true",
                       help="treat the --questions file as one conversation (follow-ups)")
    ask_p.add_argument("--k", type=int, help="passages to cite at most")
    ask_p.add_argument("--detail", action="store_true", help="the longer answer")
    add_filter_flags(ask_p)
    sub.add_parser("ingest", help="same as ingest.py", parents=[ingest_parser()], add_help=False)
    eval_p = sub.add_parser("eval", help="hit@5, MRR, refusals and follow-ups on knowledge/eval")
    eval_p.add_argument("files", nargs="*", help="JSON-lines files or folders (default: eval/)")
    eval_p.add_argument("--json", action="store_true")
    eval_p.add_argument("--split", choices=["dev", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f",
                                            "dev-g", "dev-h", "dev-i", "dev-j", "dev-k", "dev-l",
                                            "dev-m", "dev-n", "dev-o", "dev-p", "test"],
                        default="test", help="half of the coverage and quality sets (every dev "
                        "half is for tuning, test for reporting; a split runs whichever of the "
                        "two sets has it)")
    eval_p.add_argument("--misses", action="store_true", help="list every miss")
    hash_p = sub.add_parser("hash-password", help="hash a password for ASSISTANT_AUTH "
                            "(asks for it, or reads one line from standard input)")
    hash_p.add_argument("--user", help="print USER:HASH, ready for ASSISTANT_AUTH")
    args = parser.parse_args(argv)
    settings = Settings()
    return {"ask": ask, "ingest": ingest, "eval": evaluate,
            "hash-password": hash_password}[args.command](args, settings)
