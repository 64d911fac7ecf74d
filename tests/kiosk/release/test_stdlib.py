"""kiosk/release runs as /usr/lib/yinling/yinling-update with Debian's python3 alone, also when the
current release (its venv, peewee, Kivy) is the broken one: it imports the standard library only,
and of the project only itself and kiosk/__init__.py (VERSION, from importlib.metadata)."""

import ast
import sys

from tools.checkout import ROOT

RELEASE = ROOT / "kiosk/release"


def imported(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_the_updater_imports_the_standard_library_and_itself_only():
    files = [*sorted(RELEASE.glob("*.py")), ROOT / "kiosk/__init__.py"]
    assert len(files) > 5
    wrong = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in imported(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "kiosk"
        and not name.startswith("kiosk.release")
    }
    assert wrong == set()


def test_the_check_catches_a_third_party_import(tmp_path):
    (tmp_path / "x.py").write_text("import peewee\nfrom kiosk.store import db\n", encoding="utf-8")
    assert imported(tmp_path / "x.py") == {"peewee", "kiosk.store"}
