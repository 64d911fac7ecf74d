"""The project as a package: the wheel built from pyproject.toml holds everything the kiosk and the
bureau read at run time, and, installed into a new environment outside the checkout, the kiosk's
and the bureau's commands work from it alone.

The new environment borrows the test environment's third-party packages (a path in a .pth file,
which adds the folder but runs none of the .pth files in it, so the editable install of the
checkout stays out); the project itself comes only from the wheel."""

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.waiting import answers, wait_until
from tools.checkout import ROOT
from tools.pgcluster import free_port, stop_process

# Files the wheel must carry, by a pattern of their path in it.
SHIPPED = [
    "kiosk/messages/zh_CN.toml",
    "kiosk/store/migrations/0001_initial.sql",
    "screens/senior/home.kv",
    "screens/staff/imports.kv",
    "screens/widgets.kv",
    "bureau/templates/base.html",
    "bureau/migrations/0001_initial.postgresql.sql",
    "bureau/migrations/0001_initial.sqlite.sql",
    "assets/fonts/NotoSansCJKsc-Regular.otf",
    "assets/fonts/HanaMinB.ttf",
    "assets/fonts/OFL-NotoSansCJK.txt",
    "assets/voice/zh_CN/ok.wav",
    "assets/voice/zh_CN/clips.toml",
    "config/default.toml",
    "config/demo/site.toml",
    "devices/sim/cards.toml",
    "devices/sim/__main__.py",
    "kiosk/sync/push.py",
    "kiosk/cli/cards.py",
    "contract/facts.py",
    "bureau/cli/serve.py",
    "bureau/rules/rounds.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of the checkout's tracked files, built as `pip wheel .` builds it."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("yinling_kiosk-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A new environment with the wheel installed: its bin folder."""
    env = tmp_path_factory.mktemp("env") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=120)
    python = env / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return env / "bin"


def test_the_wheel_holds_every_subpackage_and_the_files_read_at_run_time(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in SHIPPED if f not in names] == []
    assert not [n for n in names if n.startswith(("tests/", "tools/", "bench/", "docs/"))]
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "yinling-kiosk = screens.launch:main" in entry_points
    assert "yinling-bureau = bureau.cli:main" in entry_points


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd)},
    )


def test_the_installed_kiosk_comes_from_the_wheel_not_the_checkout(installed, tmp_path):
    done = run(
        installed,
        "python",
        "-c",
        "import kiosk, screens, bureau, contract; "
        "print(kiosk.__file__, screens.__file__, bureau.__file__, contract.__file__)",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert all(not Path(f).is_relative_to(ROOT) and "site-packages" in f for f in done.stdout.split())


def test_the_installed_kiosk_answers_help_and_prints_the_demo_cards(installed, tmp_path):
    done = run(installed, "yinling-kiosk", "--help", cwd=tmp_path)
    assert done.returncode == 0 and "cards" in done.stdout and "--data-dir" in done.stdout, done.stderr
    done = run(
        installed,
        "yinling-kiosk",
        "--data-dir",
        str(tmp_path / "data"),
        "cards",
        "--out",
        str(tmp_path / "cards.pdf"),
        "DM0001",
        "DM0002",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cards.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "data" / "kiosk.db").is_file() and (tmp_path / "data" / "logs" / "kiosk.log").is_file()


def test_the_installed_bureau_serves_on_loopback(installed, tmp_path):
    store = tmp_path / "bureau.db"
    assert (
        run(
            installed, "yinling-bureau", "--db", str(store), "site", "add", "DEMO-001", "示范区", cwd=tmp_path
        ).returncode
        == 0
    )
    port = free_port()
    server = subprocess.Popen(
        [str(installed / "yinling-bureau"), "--db", str(store), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    try:
        health = f"http://127.0.0.1:{port}/v1/health"
        wait_until(lambda: answers(health, timeout=2), 120, "the installed bureau to answer")
        login = httpx.get(f"http://127.0.0.1:{port}/web/login", timeout=5)
        assert login.status_code == 200 and "登录" in login.text  # its templates came with it
    finally:
        stop_process(server)
