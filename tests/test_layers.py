"""The layers of docs/architecture.md §1, checked on the source (tools/layers.py): who may import
whom, and no import cycle between modules or between a package's rooms.  Each rule is also shown
to catch the kind of import that once broke it."""

from pathlib import Path

import pytest

from tools import layers
from tools.checkout import ROOT


def test_the_tree_keeps_its_layers():
    assert [str(v) for v in layers.violations(ROOT)] == []


def test_no_module_imports_itself_round_a_cycle():
    assert layers.cycles(layers.graph(ROOT)) == []


def test_no_room_of_a_package_imports_itself_round_a_cycle():
    assert layers.cycles(layers.graph(ROOT, depth=2)) == []


def tree(root: Path, files: dict[str, str]) -> Path:
    """A small source tree: each package folder gets its __init__.py."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for folder in path.relative_to(root).parents:
            if str(folder) != "." and not (root / folder / "__init__.py").exists():
                (root / folder / "__init__.py").write_text("", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "path, text",
    [
        ("kiosk/checkin/signin.py", "import kivy\n"),
        ("kiosk/desk/today.py", "from screens.staff import today\n"),
        ("kiosk/sync/device_facts.py", "from devices.manager import DeviceManager\n"),
        ("devices/manager.py", "from kivy.clock import Clock\n"),
        ("screens/staff/member.py", "from kiosk.store.models import Member\n"),
        ("screens/staff/frame.py", "def work():\n    from kiosk.store.db import db\n    db.close()\n"),
        ("screens/staff/exports.py", "from peewee import fn\n"),
        ("screens/present.py", "from kivy.metrics import dp\n"),
        ("screens/support/voice.py", "import kivy.core.audio\n"),
        ("bureau/auth.py", "from kiosk import signing\n"),
        ("bureau/store.py", "from kiosk.store.db import writers\n"),
        ("contract/facts.py", "from kiosk.store import facts\n"),
        ("tools/screenshots.py", "import main as kiosk_main\n"),
        ("bench/screen.py", "def child():\n    import main\n"),
        ("kiosk/people/cards.py", "from tools.checkout import ROOT\n"),
    ],
)
def test_each_rule_catches_an_import_across_it(tmp_path, path, text):
    root = tree(tmp_path, {path: text, "kiosk/store/models.py": "", "kiosk/store/db.py": "", "main.py": ""})
    assert [v.module for v in layers.violations(root)] == [path.removesuffix(".py").replace("/", ".")]


def test_a_relative_import_counts_as_the_module_it_names(tmp_path):
    root = tree(
        tmp_path, {"screens/staff/member.py": "from ...kiosk.store import models\n", "kiosk/store/models.py": ""}
    )
    assert [v.imported for v in layers.violations(root)] == ["kiosk.store.models"]


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    root = tree(
        tmp_path,
        {  # the bureau's store, models and streams, once
            "bureau/store.py": (
                "def open_store():\n    from bureau.models import MODELS\n    from bureau.streams import ensure\n"
            ),
            "bureau/models.py": "from bureau.store import db\n",
            "bureau/streams.py": "from bureau.models import StreamRow\nfrom bureau.store import db\n",
        },
    )
    assert layers.cycles(layers.graph(root)) == [["bureau.models", "bureau.store", "bureau.streams"]]


def test_a_cycle_between_a_module_and_a_package_is_found(tmp_path):
    root = tree(
        tmp_path,
        {  # kiosk/config.py and kiosk/sync/, once
            "kiosk/config.py": "from kiosk.sync import overlay\n",
            "kiosk/sync/overlay.py": "",
            "kiosk/sync/worker.py": "from kiosk import config\n",
        },
    )
    assert layers.cycles(layers.graph(root)) == []
    assert layers.cycles(layers.graph(root, depth=2)) == [["kiosk.config", "kiosk.sync"]]
