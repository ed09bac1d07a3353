"""`referrals`: check, test, eval, explain and fmt rule files from the command line."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import TextIO

import rules


def _read(path: str, err: TextIO) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8-sig")  # without a byte-order mark
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot read: {exc}", file=err)
        return None


def _cmd_check(args, out: TextIO, err: TextIO) -> int:
    status = 0
    for path in args.files:
        source = _read(path, err)
        if source is None:
            status = 1
            continue
        result = rules.check(source, path)
        for diagnostic in result.diagnostics:
            print(diagnostic.render(source), file=err)
        if result.program is None:
            errors = sum(1 for d in result.diagnostics if d.is_error)
            print(f"{path}: {errors} error(s)", file=err)
            status = 1
            continue
        report = result.program.static_report()
        print(f"{path}: ok ({len(result.program.rules)} rules)", file=out)
        for trigger, text in report["worst_case_text"].items():
            print(f"  worst-case cost per event on {trigger}: {text}", file=out)
        if report["rules_exceeding_total"]:
            lines = ", ".join(str(n) for n in report["rules_exceeding_total"])
            print(f"  rewards that can exceed the order total: line {lines}", file=out)
    return status


def _cmd_test(args, out: TextIO, err: TextIO) -> int:
    status, passed, failed = 0, 0, 0
    for path in args.files:
        source = _read(path, err)
        if source is None:
            status = 1
            continue
        result = rules.check(source, path)
        if result.program is None:
            for diagnostic in result.diagnostics:
                print(diagnostic.render(source), file=err)
            status = 1
            continue
        results = result.program.run_examples()
        if not results:
            print(f"{path}: no examples", file=out)
        for example in results:
            mark = "PASS" if example.passed else "FAIL"
            detail = "" if example.passed else f": {example.message}"
            print(f"{mark} {path}:{example.line} {example.name}{detail}", file=out)
            passed += example.passed
            failed += not example.passed
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed or status else 0


def _load(args, err: TextIO):
    source = _read(args.file, err)
    if source is None:
        return None, None
    result = rules.check(source, args.file)
    if result.program is None:
        for diagnostic in result.diagnostics:
            print(diagnostic.render(source), file=err)
        return None, None
    facts_text = _read(args.facts, err)
    if facts_text is None:
        return None, None
    try:
        facts = rules.facts_from_json(json.loads(facts_text))
    except (ValueError, rules.FactsError) as exc:  # bad JSON, a 5,000-digit number, a refused fact
        print(f"{args.facts}: {exc}", file=err)
        return None, None
    program = result.program
    if program.currency is not None and facts.currency != program.currency:
        header = program.node.header
        span = header.currency_span or header.span if header is not None else program.node.span
        print(f"{args.file}:{span.line}:{span.column}: error: the program is in "
              f"{program.currency} but {args.facts} is in {facts.currency}", file=err)
        return None, None
    return program, facts


def _cmd_eval(args, out: TextIO, err: TextIO, explain: bool) -> int:
    program, facts = _load(args, err)
    if program is None:
        return 1
    try:
        decision = program.explain(facts) if explain or args.trace else program.evaluate(facts)
    except rules.EvaluationError as exc:
        print(f"{args.file}: evaluation failed: {exc}", file=err)
        return 1
    if explain:
        print(decision.render(), file=out)
    else:
        print(json.dumps(decision.to_json(), indent=2), file=out)
    return 0


def _cmd_fmt(args, out: TextIO, err: TextIO) -> int:
    status = 0
    for path in args.files:
        source = _read(path, err)
        if source is None:
            status = 1
            continue
        try:
            formatted = rules.format_source(source)
        except rules.RulesError as exc:
            for diagnostic in exc.diagnostics:
                print(diagnostic.render(source), file=err)
            status = 1
            continue
        if args.check:
            if formatted != source:
                print(f"{path}: would reformat", file=out)
                status = 1
        elif args.stdout:
            out.write(formatted)
        elif formatted != source:
            Path(path).write_text(formatted, encoding="utf-8")
            print(f"{path}: formatted", file=out)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="referrals", description="Referral rules tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check files; print worst-case cost")
    check.add_argument("files", nargs="+")
    test = sub.add_parser("test", help="run the files' example blocks")
    test.add_argument("files", nargs="+")
    for name, text in (("eval", "decision as JSON"), ("explain", "human trace")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("file")
        cmd.add_argument("--facts", required=True, help="facts JSON file (see rules/FACTS.md)")
        if name == "eval":
            cmd.add_argument("--trace", action="store_true", help="include the trace")
    fmt = sub.add_parser("fmt", help="canonical formatting")
    fmt.add_argument("files", nargs="+")
    fmt.add_argument("--check", action="store_true", help="only report files that would change")
    fmt.add_argument("--stdout", action="store_true", help="print instead of rewriting")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _cmd_check(args, out, err)
    if args.command == "test":
        return _cmd_test(args, out, err)
    if args.command in ("eval", "explain"):
        return _cmd_eval(args, out, err, explain=args.command == "explain")
    return _cmd_fmt(args, out, err)


def run() -> None:
    """The `referrals` command: `main` in a process of its own, which ends as soon as it is done.
    What it loads and builds lives until then, so the garbage collector stays off (collections
    would only walk objects that are all still in use), and the interpreter is not torn down
    object by object at exit (`os._exit`): a fifth of a cold `referrals check`. Errors and
    `--help` still exit as usual."""
    gc.disable()
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
