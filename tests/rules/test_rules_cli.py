"""`referrals check|test|eval|explain|fmt`, driven through `main(argv)` and one real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from rules.tools.cli import main

GOOD = """program "Spring" currency USD
on order paid when referred:
    if order_total > 500 give referrer 50 USD else 20%

example "big order":
    order_total = 600 USD, referred
    expect referrer gets 50 USD

example "wrong on purpose":
    order_total = 100 USD, referred
    expect referrer gets 50 USD
"""
FACTS = {"trigger": "order paid", "now": "2026-03-10T12:00:00+00:00", "currency": "USD",
         "order": {"total": "480 USD"}, "referral": {"is_referred": True}}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_check_ok_prints_worst_case(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    code, out, err = run("check", path)
    assert code == 0, err
    assert "ok (1 rules)" in out
    # one branch runs: the larger of the two, not both added up
    assert ("worst-case cost per event on order paid: the larger of 50 USD and 20% of order "
            "total") in out


def test_check_errors_exit_1_with_positions(tmp_path):
    path = write(tmp_path, "bad.rules", "on order paid:\n    give referrer 5 EUR + 1%\n")
    code, _, err = run("check", path)
    assert code == 1
    assert f"{path}:2:19: error: cannot add Percent to Money" in err
    assert "^~~" in err and "1 error(s)" in err


def test_test_runs_examples(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    code, out, _ = run("test", path)
    assert code == 1
    assert f"PASS {path}:5 big order" in out
    assert f"FAIL {path}:9 wrong on purpose: expected referrer gets 50 USD" in out
    assert "1 passed, 1 failed" in out
    fixed = write(tmp_path, "fixed.rules", GOOD.replace("expect referrer gets 50 USD\n",
                                                        "expect referrer gets 20 USD\n", 2)
                  .replace("gets 20 USD", "gets 50 USD", 1))
    assert run("test", fixed)[0] == 0


def test_eval_prints_decision_json(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    facts = write(tmp_path, "facts.json", json.dumps(FACTS))
    code, out, err = run("eval", path, "--facts", facts)
    assert code == 0, err
    decision = json.loads(out)
    assert decision["rewards"][0]["amount"] == {"amount": "96.00", "currency": "USD"}
    assert decision["trace"] == []


def test_explain_prints_trace_and_hint(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    facts = write(tmp_path, "facts.json", json.dumps(FACTS))
    code, out, _ = run("explain", path, "--facts", facts)
    assert code == 0
    assert "order_total > 500" in out and "order_total = 480.00 USD" in out
    assert "referrer gets 96.00 USD as gift card" in out
    assert "hint: spend 20.01 USD more to earn 50 USD" in out


def test_eval_reports_bad_facts(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    facts = write(tmp_path, "facts.json", json.dumps({"order": {"total": 12.5}}))
    code, _, err = run("eval", path, "--facts", facts)
    assert code == 1 and "order.total" in err


def test_fmt_check_and_rewrite(tmp_path):
    messy = "on order paid   when referred:\n  give referrer  5 USD\n"
    path = write(tmp_path, "messy.rules", messy)
    code, out, _ = run("fmt", "--check", path)
    assert code == 1 and "would reformat" in out
    assert run("fmt", path)[0] == 0
    assert Path(path).read_text() == "on order paid when referred:\n    give referrer 5 USD\n"
    assert run("fmt", "--check", path)[0] == 0


def test_console_script_entry_point(tmp_path):
    path = write(tmp_path, "good.rules", GOOD)
    done = subprocess.run([sys.executable, "-m", "rules.tools.cli", "check", path],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0 and "ok" in done.stdout


def test_eval_refuses_bad_facts_naming_the_fact_without_a_traceback(tmp_path):
    program = write(tmp_path, "p.rules", GOOD)
    for total, message in [("NaN USD", "order.total: 'NaN' is not a number"),
                           ("1e999999 USD", "order.total: '1e999999' is not a number"),
                           ("-1 USD", "order.total: -1 USD is negative")]:
        facts = write(tmp_path, "f.json", json.dumps({**FACTS, "order": {"total": total}}))
        code, out, err = run("eval", program, "--facts", facts)
        assert (code, out) == (1, "") and f"f.json: {message}" in err
    huge = write(tmp_path, "h.json", '{"order": {"total": ' + "9" * 5000 + "}}")
    code, _, err = run("eval", program, "--facts", huge)
    assert code == 1 and "h.json: " in err and "Traceback" not in err


def test_eval_points_at_the_programs_currency_when_the_facts_use_another(tmp_path):
    program = write(tmp_path, "p.rules", GOOD)
    facts = write(tmp_path, "f.json", json.dumps({**FACTS, "currency": "EUR",
                                                   "order": {"total": "480 EUR"}}))
    code, _, err = run("eval", program, "--facts", facts)
    assert code == 1
    assert err.strip() == f"{program}:1:27: error: the program is in USD but {facts} is in EUR"


def test_eval_prints_a_refused_reward_with_its_reason(tmp_path):
    program = write(tmp_path, "p.rules", "on order paid:\n    give referrer order_total * 100\n")
    facts = write(tmp_path, "f.json", json.dumps(FACTS))
    code, out, _ = run("explain", program, "--facts", facts)
    assert code == 0
    assert ("referrer gets 48000.00 USD as gift card: refused, more than the program's ceiling "
            "of 1000.00 USD per reward") in out


def test_a_file_saved_with_a_byte_order_mark_checks_and_formats(tmp_path):
    path = tmp_path / "bom.rules"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    code, out, err = run("check", str(path))
    assert (code, err) == (0, "") and "ok (1 rules)" in out
    code, out, _ = run("fmt", "--check", str(path))
    assert code in (0, 1) and "Traceback" not in out


def test_console_script_reports_errors_and_their_status_before_it_ends(tmp_path):
    # the command ends without tearing the interpreter down: its output must be out by then
    path = write(tmp_path, "bad.rules", "give referrer 5 USD USD\n")
    done = subprocess.run([sys.executable, "-m", "rules.tools.cli", "check", path, path],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 1
    assert done.stderr.count("bad.rules:1:21: error: unexpected 'USD'") == 2
    assert done.stderr.rstrip().endswith("bad.rules: 1 error(s)")


LIMITED = """program "Five a month" currency USD
limit referrer 5 rewards per month
budget 1000 USD per month

on order paid when referred:
    give referrer 50 USD
"""


def test_eval_and_explain_cut_by_the_limit_the_facts_have_used(tmp_path):
    program = write(tmp_path, "limited.rules", LIMITED)
    fifth = {**FACTS, "referral": {"is_referred": True, "referrer": {"rewards_this_month": 4}}}
    sixth = {**FACTS, "referral": {"is_referred": True},
             "usage": {"rewards": {"referrer": {"month": 5}}}}
    code, out, _ = run("eval", program, "--facts", write(tmp_path, "5.json", json.dumps(fifth)))
    assert code == 0 and len(json.loads(out)["rewards"]) == 1
    code, out, _ = run("eval", program, "--facts", write(tmp_path, "6.json", json.dumps(sixth)))
    decision = json.loads(out)
    assert (code, decision["rewards"]) == (0, [])
    assert [c["reason"] for c in decision["cut"]] == [
        "limit referrer 5 rewards per month (line 2): 5 this month"]
    code, out, _ = run("explain", program, "--facts", str(tmp_path / "6.json"))
    assert "referrer gets 50.00 USD as gift card: cut, limit referrer 5 rewards per month" in out
    assert "   2:1   limit     no" in out  # the trace points at the limit's line


def test_eval_names_a_usage_count_that_disagrees(tmp_path):
    program = write(tmp_path, "limited.rules", LIMITED)
    facts = {**FACTS, "referral": {"is_referred": True, "referrer": {"rewards_this_month": 2}},
             "usage": {"rewards": {"referrer": {"month": 3}}}}
    code, _, err = run("eval", program, "--facts", write(tmp_path, "f.json", json.dumps(facts)))
    assert code != 0
    assert "referrer.rewards_this_month: 2 but usage.rewards.referrer.month says 3" in err
