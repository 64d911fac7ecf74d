"""Every program the code or the tests run comes from a Debian package that ./dev installs (or one
every Debian system has), so a fresh machine passes the README's two commands: a program that is
only on the developer's machine fails here, not on the next newcomer's (tools/fresh-debian proves
it on a fresh Debian 12).

The programs are read from the source: the first word of each subprocess call, shutil.which and
Playwright's executable_path.  A call whose program the source does not spell out (it comes from
the settings, or is put together at run time) must be declared in DECLARED with what it runs."""

import ast
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from tools.checkout import ROOT

SCANNED = ("contract", "kiosk", "devices", "screens", "bureau", "tools", "tests", "bench", "main.py")
RUNNERS = {
    ("subprocess", "run"),
    ("subprocess", "Popen"),
    ("subprocess", "call"),
    ("subprocess", "check_call"),
    ("subprocess", "check_output"),
    ("asyncio", "create_subprocess_exec"),
    ("shutil", "which"),
    ("os", "execv"),
    ("os", "execvp"),
}
PYTHON = "<python>"  # sys.executable: the venv's own Python
VENV = "<venv>"  # the commands an installed wheel brings (yinling-kiosk …)
# The files whose calls name their program at run time, and the programs those calls may run.
DECLARED = {
    "kiosk/people/cards.py": set(),  # staff.print_command: [] by default, the site's own
    "screens/support/voice.py": {"aplay"},  # voice.player: ["aplay", "-q"] (config/default.toml)
    "devices/display.py": {"xset"},  # display.panel_command: "xset dpms force" (config/default.toml)
    "tools/pgcluster.py": {"runuser", "/usr/lib/postgresql/15/bin/initdb", "/usr/lib/postgresql/15/bin/pg_ctl"},
    "tests/test_programs.py": set(),  # shutil.which of each program found here
    "tests/test_package.py": {VENV},  # the wheel\'s commands, in a venv of its own
    "kiosk/release/install.py": {PYTHON, VENV},  # python3 -m venv, then the new release's own pip
    "tests/kiosk/release/box.py": {VENV},  # the installed release's python and yinling-kiosk
    "tests/bureau/faults.py": {PYTHON, "faketime"},
    "tests/screens/scenarios_staff_sync.py": {PYTHON},
    "tests/screens/conftest.py": {PYTHON, "faketime"},
    "tests/packaging/test_session.py": {"xinit", "Xvfb", "xset"},  # packaging/kiosk/bin/session on Xvfb
    "tests/packaging/test_deb.py": {"sudo"},  # tools/deb-install, as root
    # packaging/bureau's backup and restore scripts, and what they run
    "tests/packaging/test_bureau_server.py": {"pg_dump", "pg_restore", "createdb", "dropdb"},
}


def python_files() -> list[Path]:
    found = []
    for name in SCANNED:
        path = ROOT / name
        found += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return found


def constants(tree: ast.Module) -> dict[str, object]:
    """The module's NAME = "text" and NAME = ["text", …] assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return found


def program(node: ast.expr, known: dict[str, object]) -> str | None:
    """The program an argument names, or None when the source does not spell it out."""
    if isinstance(node, ast.Attribute) and node.attr == "executable" and getattr(node.value, "id", "") == "sys":
        return PYTHON
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split()[0]
    if isinstance(node, ast.Name) and isinstance(known.get(node.id), str):
        return known[node.id].split()[0]
    if isinstance(node, ast.Name) and isinstance(known.get(node.id), (list, tuple)) and known[node.id]:
        return known[node.id][0]
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        first = node.elts[0]
        return program(first.value if isinstance(first, ast.Starred) else first, known)
    return None


def programs_run(path: Path) -> tuple[set[str], list[int]]:
    """The programs the file runs, and the lines of the calls whose program it does not spell out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = constants(tree)
    found, unresolved = set(), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        runner = (getattr(func.value, "id", ""), func.attr) if isinstance(func, ast.Attribute) else ("", "")
        args = node.args[:1] if runner in RUNNERS and node.args else []
        args += [k.value for k in node.keywords if k.arg == "executable_path"]
        for arg in args:
            run = program(arg, known)
            if run is None:
                unresolved.append(node.lineno)
            else:
                found.add(run)
    return found, unresolved


def everything_run() -> dict[str, set[str]]:
    """Each program, with the files that run it."""
    by_program: dict[str, set[str]] = {}
    for path in python_files():
        name = str(path.relative_to(ROOT))
        found, _ = programs_run(path)
        for run in found | DECLARED.get(name, set()):
            by_program.setdefault(run, set()).add(name)
    return by_program


def dev_packages(text: str | None = None) -> set[str]:
    """The Debian packages ./dev installs for any of its tasks."""
    text = (ROOT / "dev").read_text(encoding="utf-8") if text is None else text
    lists = re.findall(r"^[A-Z_]+_PACKAGES=\(([^)]*)\)", text, re.M)
    return {word for line in lists for word in line.split() if not word.startswith('"$')}


def package_of(program_name: str) -> str:
    """The Debian package that installed the program on this machine ("" if none did)."""
    path = program_name if program_name.startswith("/") else shutil.which(program_name)
    if path is None or not Path(path).exists():
        return ""
    # Debian 12 is merged-/usr: dpkg may know /sbin/runuser as the file /usr/sbin/runuser is.
    paths = (path, str(Path(path).resolve()))
    for candidate in dict.fromkeys(p for q in paths for p in (q, q.removeprefix("/usr"))):
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":")[0].split(",")[0].strip()
    return ""


@cache  # hundreds of dpkg-query calls: once a run, not once a program
def installed_by_dev() -> frozenset[str]:
    """./dev's packages and everything they depend on (postgresql brings postgresql-15)."""
    seen, todo = set(), list(dev_packages())
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Pre-Depends}, ${Depends}", package], capture_output=True, text=True
        )
        todo += [
            alternative.split()[0].split(":")[0]
            for part in done.stdout.split(",")
            for alternative in part.split("|")[:1]
            if alternative.strip()
        ]
    return frozenset(seen)


def essential(package: str) -> bool:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Essential}", package], capture_output=True, text=True)
    return done.stdout.strip() == "yes"


def test_every_call_names_its_program_or_is_declared():
    undeclared = {}
    for path in python_files():
        name = str(path.relative_to(ROOT))
        _, unresolved = programs_run(path)
        if unresolved and name not in DECLARED:
            undeclared[name] = unresolved
    assert undeclared == {}, "declare what these calls run in tests/test_programs.py DECLARED"


def test_the_declared_files_still_run_something_unnamed():
    # A file no longer running a program at run time must leave DECLARED, which would hide one.
    assert [name for name in DECLARED if not programs_run(ROOT / name)[1]] == []


@pytest.mark.parametrize("program_name", sorted(p for p in everything_run() if p not in (PYTHON, VENV)))
def test_each_program_comes_from_a_package_dev_installs(program_name):
    package = package_of(program_name)
    assert package, (
        f"{program_name} (run by {sorted(everything_run()[program_name])}) is not installed: "
        "./dev must install the Debian package that has it"
    )
    assert package in installed_by_dev() or essential(package), (
        f"{program_name} comes from {package}, which ./dev does not install (add it to dev's package lists)"
    )


def test_a_program_no_package_installs_is_caught(tmp_path):
    # The mistake this guards against: a test ran pdftotext, which ./dev did not install.
    assert package_of("no-such-program-anywhere") == ""
    source = tmp_path / "t.py"
    source.write_text(
        'import subprocess\nsubprocess.run(["pdftotext", "x.pdf", "-"])\nsubprocess.run(cmd)\n', encoding="utf-8"
    )
    assert programs_run(source) == ({"pdftotext"}, [3])
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    assert package_of("pdftotext") in dev_packages(dev)
    assert package_of("pdftotext") not in dev_packages(dev.replace(" poppler-utils", ""))
