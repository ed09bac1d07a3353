"""Cold start: `referrals check` of the generated dense 500-line program in a fresh process, and
`import rules`, each in fresh subprocesses like hyperfine does (medians and spread of the runs).

The CLI and every web worker pay this on start. Baseline (the limit): a bare `python -c pass`
start plus bare Lark loading the prebuilt parser tables the project ships, in one process (no
grammar analysis, no rules code). Rounds run every command back to back, so a shared machine's
drift slows the baseline and ours alike. Exits 1 when the check's median is 150 ms or more.

    .venv/bin/python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.parse_check import generated_program  # noqa: E402
from rules.syntax.lark_parser import GRAMMAR  # noqa: E402
from rules.syntax.tables import tables_path  # noqa: E402

BUDGET_MS = 150.0
BIN = Path(sys.executable).parent
# the shipped tables open with their key line; the rest is Lark's own `Lark.save` format
LOAD_TABLES = ("import sys, lark\nwith open(sys.argv[1], 'rb') as f:\n"
               "    f.readline()\n    lark.Lark.load(f)\n")


def _run(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one fresh process, its output thrown away."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          cwd=tempfile.gettempdir(), check=False)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}")
    cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
    return wall, cpu


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=15)
    runs = max(10, options.parse_args().runs)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as workdir:
        program = Path(workdir) / "generated.rules"
        program.write_text(generated_program(), encoding="utf-8")
        python = sys.executable
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "baseline: pass + Lark.load(tables)": [python, "-c", LOAD_TABLES,
                                                   str(tables_path(GRAMMAR))],
            "import rules": [python, "-c", "import rules"],
            "referrals check (500 lines)": [str(BIN / "referrals"), "check", str(program)],
        }
        for command in commands.values():  # warm the file cache and .pyc files
            _run(command)
        walls: dict[str, list[float]] = {label: [] for label in commands}
        cpus: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(runs):
            for label, command in commands.items():
                wall, cpu = _run(command)
                walls[label].append(wall)
                cpus[label].append(cpu)
    base = statistics.median(walls["baseline: pass + Lark.load(tables)"])
    print(f"cold_start: fresh processes, {runs} rounds; wall ms median (min-max), "
          f"CPU ms median; ratio of the wall medians to the baseline")
    for label in commands:
        median = statistics.median(walls[label])
        print(f"  {label:<36} {median:7.1f} ({min(walls[label]):6.1f}-{max(walls[label]):6.1f})"
              f"  CPU {statistics.median(cpus[label]):6.1f}   {median / base:5.2f}x")
    check = statistics.median(walls["referrals check (500 lines)"])
    verdict = "ok" if check < BUDGET_MS else "OVER BUDGET"
    print(f"  referrals check: {check / BUDGET_MS:.2f}x of the {BUDGET_MS:.0f} ms budget: "
          f"{verdict}")
    return 0 if check < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
