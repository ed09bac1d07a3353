"""The README tells the truth: its settings tables, commands and "What is here" match the code.

Settings are what `plugin/` reads from the environment (found in the source with `ast`, so a new
`os.environ.get`, `env_bool` or `environ[...]` anywhere in the app needs a row); commands are the
app's management commands; packages are the folders of `plugin/`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
ENV_HELPERS = {"env_bool", "env_list", "getenv"}  # plugin.config's readers and os.getenv
SETTING_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def _is_environ(node: ast.expr) -> bool:
    """`os.environ` or a mapping named `environ` (how plugin.config and e-mail settings get it)."""
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ")


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _env_name(node: ast.AST) -> str | None:
    """The variable a node reads from the environment, if it is such a read."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute):  # os.environ.get(…), environ.get(…), os.getenv(…)
            reads = (func.attr == "get" and _is_environ(func.value)) or func.attr in ENV_HELPERS
        else:  # env_bool(…), env_list(…)
            reads = isinstance(func, ast.Name) and func.id in ENV_HELPERS
        if reads:
            return _literal(node.args[0])
    if isinstance(node, ast.Subscript) and _is_environ(node.value):
        return _literal(node.slice)
    if (isinstance(node, ast.Compare) and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn) and _is_environ(node.comparators[0])):
        return _literal(node.left)
    return None


def environment_reads(source: str) -> set[str]:
    return {name for node in ast.walk(ast.parse(source)) if (name := _env_name(node))}


def app_environment_reads() -> dict[str, str]:
    """Every variable `plugin/` reads → the first module reading it."""
    found: dict[str, str] = {}
    for path in sorted((REPO / "plugin").rglob("*.py")):
        for name in environment_reads(path.read_text(encoding="utf-8")):
            found.setdefault(name, str(path.relative_to(REPO)))
    return found


def script_environment_reads() -> set[str]:
    """Variables the scripts read with a default (`${BIND:-127.0.0.1:8000}`), e.g. the demo's."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "scripts").iterdir()
                     if p.is_file() and not p.suffix)
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):?-", text))


def _tables(markdown: str) -> list[list[list[str]]]:
    """Every markdown table as rows of cells (the separator row left out)."""
    tables, current = [], []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def documented_settings() -> set[str]:
    """Names in the first column of every README table headed `variable`."""
    return {name for table in _tables(README) if table[0][0] == "variable"
            for row in table[1:] for name in SETTING_NAME.findall(row[0])}


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_the_scanner_finds_every_form_of_environment_read():
    source = ('import os\nos.environ.get("A")\nos.environ["B"]\nenv_bool("C")\n'
              'env_list("D", "x", environ)\n"E" in os.environ\nenviron.get("F")\n'
              'os.getenv("G")\nos.environ.setdefault("NOT_A_READ", "x")\nother.get("NOR_THIS")\n')
    assert environment_reads(source) == set("ABCDEFG")


def test_every_setting_the_app_reads_is_in_the_readme():
    reads = app_environment_reads()
    assert len(reads) >= 30  # the scanner sees settings.py, config.py, messages/config.py
    missing = {name: where for name, where in reads.items() if name not in documented_settings()}
    assert not missing, f"settings read but not in the README's settings table: {missing}"


def test_every_documented_setting_is_read_by_the_app_or_its_scripts():
    read = set(app_environment_reads()) | script_environment_reads()
    stale = documented_settings() - read
    assert not stale, f"the README documents settings nothing reads: {sorted(stale)}"


def _app_commands() -> list[str]:
    return sorted(p.stem for p in REPO.glob("plugin/*/management/commands/*.py")
                  if not p.stem.startswith("_"))


@pytest.mark.parametrize("command", _app_commands())
def test_every_management_command_is_in_the_readme(command):
    assert re.search(rf"`manage\.py {command}\b", README), f"`manage.py {command}` not in README"


def test_every_command_the_readme_names_exists():
    from django.core.management import get_commands

    named = set(re.findall(r"manage\.py ([a-z_]+)", README))
    assert named, "the README names no commands"
    assert named <= set(get_commands()), sorted(named - set(get_commands()))


def test_what_is_here_lists_every_plugin_package_and_only_paths_that_exist():
    section = _section("What is here")
    listed = [cell.strip("`") for row in _tables(section)[0][1:] for cell in row[:1]]
    packages = sorted(f"plugin/{p.parent.name}/" for p in REPO.glob("plugin/*/__init__.py"))
    assert len(packages) >= 13
    assert set(packages) <= set(listed), sorted(set(packages) - set(listed))
    missing = [path for path in listed if not (REPO / path).exists()]
    assert not missing, f"'What is here' lists paths that do not exist: {missing}"
