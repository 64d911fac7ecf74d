"""Update and rollback for real (issue 20 part 4): three bundles built from the checkout by
tools/release.py — 0.1.0, 0.2.0 and a 0.2.1 whose screens/app.py crashes at start — installed by the
updater (Debian's python3, kiosk/release) as real venvs under a scratch YINLING_ROOT, each started as
the kiosk unit starts it (boot-check, then the release's own yinling-kiosk, here under Xvfb).

One story, told once for the module (the builds and venvs are its cost), checked step by step."""

import json
import sqlite3
import tarfile
from contextlib import closing

import pytest

from tests.kiosk.release.box import Box
from tools import release

SIGN_IN = """
import sys
from datetime import datetime
from kiosk import boot
from kiosk.checkin.visit import Reception
from kiosk.identity import tokens
from kiosk.identity.credentials import Credential
from kiosk.store.models import Member

settings = boot.start(boot.parse_args(["--data-dir", sys.argv[1]]))
key = bytes.fromhex(settings.security.card_key)
reception = Reception(settings)
for member in Member.select().order_by(Member.member_no).offset({offset}).limit({count}):
    credential = Credential.qr(tokens.make(member.member_no, member.card_issue, key))
    print(member.member_no, reception.sign_in(credential, datetime.now()).result.kind)
"""
CRASH = 'def run(settings: SimpleNamespace) -> int:\n    raise RuntimeError("a release broken on purpose")\n'


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    """The three bundles, sharing one download of the dependency wheels; and the public key."""
    base = tmp_path_factory.mktemp("release")
    private, public = release.keygen(base / "keys")
    wheels = base / "wheels"
    first = release.project_wheel("0.1.0", wheels)
    deps = release.dependencies(first, "amd64", base / "deps")
    broken = release.tracked_tree(base / "broken")
    app = broken / "screens/app.py"
    source = app.read_text(encoding="utf-8")
    assert source.count("def run(settings: SimpleNamespace) -> int:\n") == 1
    app.write_text(source.replace("def run(settings: SimpleNamespace) -> int:\n", CRASH), encoding="utf-8")
    built = {
        "0.1.0": first,
        "0.2.0": release.project_wheel("0.2.0", wheels),
        "0.2.1": release.project_wheel("0.2.1", wheels, broken),
    }
    made = {v: release.bundle(v, "amd64", [w, *deps], private, base / "out") for v, w in built.items()}
    return {"bundles": made, "public": public}


@pytest.fixture(scope="module")
def story(bundles, tmp_path_factory) -> dict:
    """What the box showed at each step."""
    box, seen = Box(tmp_path_factory.mktemp("box"), bundles["public"]), {}
    bundle = bundles["bundles"]

    def signed_ins() -> list[tuple]:
        with closing(sqlite3.connect(box.data / "kiosk.db")) as db:
            return db.execute("SELECT member_id, at FROM sign_in ORDER BY id").fetchall()

    def status() -> dict:
        return json.loads(box.updated("status", "--json"))

    box.updated("install", bundle["0.1.0"], "--no-restart", "--no-compile")
    seen["first"] = status()
    seen["signed_0.1.0"] = box.python(SIGN_IN.format(offset=0, count=3))
    seen["before_update"] = signed_ins()
    box.updated("install", bundle["0.2.0"], "--no-restart", "--no-compile")
    seen["trial"] = status()
    box.run_until_confirmed("0.2.0")
    seen["confirm"] = box.updated("confirm", "--no-restart")
    seen["confirmed"] = status()
    seen["signed_0.2.0"] = box.python(SIGN_IN.format(offset=3, count=2))
    seen["before_broken"] = signed_ins()
    seen["older"] = box.update("install", bundle["0.1.0"], "--no-restart")

    box.updated("install", bundle["0.2.1"], "--no-restart", "--no-compile")
    seen["broken_trial"] = status()
    seen["crashes"] = [box.crashes(), box.crashes()]
    seen["after_crashes"] = status()
    box.run_until_confirmed("0.2.0")  # boot-check rolls back, and the kiosk starts again
    seen["rolled_back"] = status()
    seen["after_rollback"] = signed_ins()
    seen["kept_aside"] = sorted(p.name for p in box.data.glob("before-rollback-*/*"))
    seen["releases"] = sorted(p.name for p in (box.root / "opt/yinling/releases").iterdir())
    seen["backups"] = sorted((box.data / "updates/backups").iterdir())
    return seen


def test_the_first_release_installed_is_current_with_nothing_to_try(story):
    assert story["first"]["current"] == "0.1.0"
    assert (story["first"]["previous"], story["first"]["trial"]) == (None, None)
    assert story["signed_0.1.0"].split() == ["DM0001", "ok", "DM0002", "ok", "DM0003", "ok"]


def test_a_good_update_starts_confirms_itself_and_ends_its_trial(story):
    assert (story["trial"]["current"], story["trial"]["previous"]) == ("0.2.0", "0.1.0")
    assert story["trial"]["trial"] == {"version": "0.2.0", "from": "0.1.0", "starts": 0}
    assert story["confirm"] == "confirmed"
    assert story["confirmed"]["trial"] is None
    assert story["confirmed"]["last"]["event"] == "confirmed"
    assert story["signed_0.2.0"].split() == ["DM0004", "ok", "DM0005", "ok"]


def test_an_older_version_is_refused(story):
    assert story["older"].returncode == 1
    assert "0.1.0 is not newer than the current 0.2.0" in story["older"].stderr


def test_a_release_crashing_at_start_is_rolled_back_after_its_second_start(story):
    assert story["broken_trial"]["trial"] == {"version": "0.2.1", "from": "0.2.0", "starts": 0}
    assert all(code != 0 for code in story["crashes"])
    assert story["after_crashes"]["trial"]["starts"] == 2  # not yet: the third start's boot-check decides
    rolled = story["rolled_back"]
    assert (rolled["current"], rolled["previous"], rolled["trial"]) == ("0.2.0", "0.1.0", None)
    assert rolled["last"]["event"] == "rolled back" and rolled["last"]["version"] == "0.2.1"
    assert "started 2 times" in rolled["last"]["reason"]


def test_the_database_with_every_sign_in_before_the_updates_survives_both(story):
    before, before_broken = story["before_update"], story["before_broken"]
    assert before_broken[: len(before)] == before  # the demo's history and 0.1.0's three
    assert len(before_broken) == len(before) + 2  # and 0.2.0's two
    assert story["after_rollback"] == before_broken
    assert "kiosk.db" in story["kept_aside"]  # the trial's database, kept aside for staff


def test_only_current_and_previous_are_kept_and_no_backup_lingers(story):
    assert story["releases"] == ["0.1.0", "0.2.0"]
    assert story["backups"] == []


def test_a_bundle_holds_the_kiosks_wheels_and_nothing_of_the_bureau_or_the_tests(bundles):
    with tarfile.open(bundles["bundles"]["0.1.0"]) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("release.json").read())
    assert names[:2] == ["release.json", "release.json.sig"]
    assert set(names[2:]) == set(manifest["files"])
    assert (manifest["name"], manifest["version"], manifest["arch"], manifest["python"]) == (
        "yinling-kiosk", "0.1.0", "amd64", "3.11"
    )  # fmt: skip
    projects = {n.removeprefix("wheels/").split("-")[0].lower() for n in names[2:]}
    assert {"yinling_kiosk", "kivy", "peewee", "msgspec", "httpx", "pypinyin", "openpyxl", "fpdf2"} <= projects
    assert not projects & {"fastapi", "uvicorn", "psycopg2_binary", "cryptography", "jinja2", "pytest", "ruff"}
