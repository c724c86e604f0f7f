"""Checks over every add-on's files that need no database: conventions CI must hold."""

import ast
import csv
import re
from pathlib import Path

import pytest

ADDONS = Path(__file__).resolve().parent.parent / "addons"
ADDON_DIRS = sorted(path.parent for path in ADDONS.glob("*/__manifest__.py"))


def _manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text())


def _concrete_model_names(addon):
    """`_name`s of the add-on's models and wizards (abstract models need no access rights)."""
    names = set()
    for path in addon.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) or any(
                getattr(base, "attr", None) == "AbstractModel" for base in node.bases
            ):
                continue
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and any(getattr(t, "id", None) == "_name" for t in stmt.targets)
                    and isinstance(stmt.value, ast.Constant)
                ):
                    names.add(stmt.value.value)
    return names


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda p: p.name)
def test_manifest_is_oca_shaped(addon):
    manifest = _manifest(addon)
    assert manifest["version"].startswith("18.0.")
    for key in ("license", "author", "website", "depends"):
        assert manifest.get(key), f"{addon.name}: manifest needs {key}"
    assert "description" not in manifest
    for name in manifest.get("data", []) + manifest.get("demo", []):
        assert (addon / name).is_file(), f"{addon.name}: {name} is listed but missing"


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda p: p.name)
def test_every_model_has_access_rights(addon):
    with (addon / "security" / "ir.model.access.csv").open() as handle:
        covered = {row["model_id:id"].split(".")[-1] for row in csv.DictReader(handle)}
    for name in _concrete_model_names(addon):
        assert "model_" + name.replace(".", "_") in covered, f"no ACL for {name}"


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda p: p.name)
def test_views_use_odoo_18_syntax(addon):
    for path in addon.rglob("*.xml"):
        text = path.read_text()
        assert "<tree" not in text, f"{path}: use <list>"
        assert not re.search(r"\battrs=|\bstates=", text), f"{path}: attrs/states are gone in 17+"


def test_sacco_core_never_imports_odoo():
    core = ADDONS.parent / "sacco_core" / "sacco_core"
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            assert not any(m == "odoo" or m.startswith("odoo.") for m in modules), path
