"""Everything the app reads at run time is package data, reached through importlib.resources.

An installed wheel has no repository around it: the manifest, the grammar, the example programs,
the templates, the GraphQL documents, the captured Saleor data and the dashboard bundle must all
be found inside the packages. `scripts/test-wheel` proves the same on a real installed wheel.
"""

from __future__ import annotations

import ast
import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from django.template.loader import get_template

from examples import example_programs
from grammar import load_grammar
from plugin.dashboard.views_page import ASSETS_DIR
from plugin.install.manifest import manifest_template
from plugin.saleor.captures import captured_events, captured_jwks, transcript
from plugin.saleor.documents import document_names, load_document

REPO = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("plugin", "rules", "grammar", "examples")
APPS_WITH_TEMPLATES = ("plugin.contests", "plugin.dashboard", "plugin.messages", "plugin.playbook")


def _files_under(folder: Traversable, prefix: str = "") -> list[str]:
    names = []
    for entry in folder.iterdir():
        if entry.is_dir():
            names += _files_under(entry, f"{prefix}{entry.name}/")
        else:
            names.append(prefix + entry.name)
    return names


def test_the_manifest_is_package_data_of_the_install_app():
    packaged = resources.files("plugin.install").joinpath("manifest.json")
    assert json.loads(packaged.read_text(encoding="utf-8")) == manifest_template()
    assert manifest_template()["webhooks"] and manifest_template()["id"]


def test_the_grammar_and_the_example_programs_are_package_data():
    assert "give" in load_grammar()
    programs = example_programs()
    assert len(programs) >= 8
    assert all(p.read_text(encoding="utf-8").strip() for p in programs)


@pytest.mark.parametrize("app", APPS_WITH_TEMPLATES)
def test_every_packaged_template_loads_by_name(app):
    names = _files_under(resources.files(app) / "templates")
    assert names, f"{app} ships no templates"
    for name in names:
        assert get_template(name) is not None


def test_graphql_documents_and_captured_saleor_data_are_package_data():
    names = document_names()
    assert names
    for name in names:
        assert load_document(name).operation_name
    assert captured_jwks()["keys"]
    assert "ORDER_PAID" in captured_events()
    assert transcript()


def test_the_dashboard_assets_under_version_control_are_package_data():
    # app.js and its map are built by scripts/build-assets; the wheel test serves them.
    for name in ("app.css", "harness.js", "harness.css"):
        assert (ASSETS_DIR / name).read_bytes()


def _file_locators(path: Path) -> list[str]:
    """`__file__` uses in a module: how code finds files beside itself instead of as resources."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(REPO)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == "__file__"]


def test_no_runtime_module_finds_files_relative_to_its_source():
    found = [hit for package in RUNTIME_PACKAGES
             for path in sorted((REPO / package).rglob("*.py"))
             if "node_modules" not in path.parts
             for hit in _file_locators(path)]
    assert found == [], "read these through importlib.resources: " + ", ".join(found)
