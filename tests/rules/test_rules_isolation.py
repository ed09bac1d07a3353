"""`rules` is pure: importing and using it loads no Django, app, GraphQL or HTTP code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "plugin", "graphene", "graphql", "httpx", "requests", "urllib3",
             "celery", "psycopg", "saleor_sdk", "jwt", "socket", "http")

SCRIPT = """
import json, sys
import rules
from rules.tools import cli  # the CLI too
program = rules.compile_program("if order_total > 500 give referrer 50 USD else 20%")
program.run_examples()
rules.format_source("give referrer 5 USD")
print(json.dumps(sorted(sys.modules)))
"""


def test_rules_imports_nothing_outside_the_language():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(REPO)})
    modules = json.loads(out.stdout)
    leaked = [m for m in modules if m.split(".")[0] in FORBIDDEN]
    assert leaked == []
    assert "rules.evaluate.interpreter" in modules and "lark" in modules
