"""packaging/bureau: the systemd units verified by systemd-analyze in a root of their own, where
the programs they name are stubs and the system's own units (targets, postgresql.service) are
copied; their hardening scored; the nginx site checked by `nginx -t` with a certificate made here.
The units' programs are the paths install.sh puts them at."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import trustme

from bureau.body import MAX_BODY
from tools.checkout import ROOT

PACKAGING = ROOT / "packaging" / "bureau"
UNITS = ("yinling-bureau.service", "yinling-bureau-backup.service", "yinling-bureau-backup.timer")
SYSTEM_UNITS = Path("/usr/lib/systemd/system")
# systemd-analyze security's overall exposure, 0 (locked down) to 10 (none): 1.7 and 1.9 today.
MOST_EXPOSURE = 2.5


@pytest.fixture(scope="module")
def sysroot(tmp_path_factory) -> Path:
    """A root with the system's units, ours in /etc/systemd/system, and a stub at each path
    install.sh gives a program the units run."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(SYSTEM_UNITS, root / SYSTEM_UNITS.relative_to("/"), symlinks=True)
    units = root / "etc/systemd/system"
    units.mkdir(parents=True)
    for name in UNITS:
        shutil.copy(PACKAGING / name, units / name)
    for program in executables():
        stub = root / program.relative_to("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\n", encoding="ascii")
        stub.chmod(0o755)
    return root


def executables() -> set[Path]:
    """Every program an Exec line of our units starts."""
    found = set()
    for name in UNITS:
        for line in (PACKAGING / name).read_text(encoding="utf-8").splitlines():
            if re.match(r"Exec\w+=", line):
                found.add(Path(line.split("=", 1)[1].split()[0].lstrip("-+!@")))
    return found


def verify(root: Path, unit: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", unit], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_verifies_clean(sysroot, unit):
    done = verify(sysroot, unit)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_verify_catches_a_wrong_key_and_a_missing_program(sysroot, tmp_path):
    # The check above is worth something: a typo and a program not installed are both reported.
    units = sysroot / "etc/systemd/system"
    text = (PACKAGING / "yinling-bureau.service").read_text(encoding="utf-8")
    (units / "typo.service").write_text(text.replace("ProtectHome=", "ProtectHomes="), encoding="utf-8")
    assert "Unknown key 'ProtectHomes'" in verify(sysroot, "typo.service").stderr
    (units / "missing.service").write_text(text.replace("/opt/yinling-bureau/", "/opt/nowhere/"), encoding="utf-8")
    done = verify(sysroot, "missing.service")
    assert done.returncode != 0 and "/opt/nowhere/bin/yinling-bureau is not executable" in done.stderr


@pytest.mark.parametrize("unit", UNITS[:2])
def test_the_services_are_locked_down(sysroot, unit):
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", f"--root={sysroot}", unit],
        capture_output=True,
        text=True,
        timeout=60,
    )
    exposure = float(re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout).group(1))
    assert exposure <= MOST_EXPOSURE, done.stdout


SCRIPTS = ("install.sh", "yinling-bureau-admin", "yinling-bureau-backup", "yinling-bureau-restore")


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_parses_in_debians_sh(script):
    assert subprocess.run(["dash", "-n", str(PACKAGING / script)]).returncode == 0


def test_install_puts_every_program_where_the_units_run_it():
    script = (PACKAGING / "install.sh").read_text(encoding="utf-8")
    assert "prefix=/opt/yinling-bureau" in script and '"$prefix/bin/pip" install' in script
    assert "/usr/local/sbin/" in script and '"$here/yinling-bureau-backup"' in script
    for program in executables():
        assert str(program).startswith(("/opt/yinling-bureau/bin/", "/usr/local/sbin/yinling-bureau-backup")), program


def test_the_service_runs_serve_behind_the_proxy_and_migrates_first():
    unit = (PACKAGING / "yinling-bureau.service").read_text(encoding="utf-8")
    assert "ExecStartPre=/opt/yinling-bureau/bin/yinling-bureau migrate\n" in unit
    serve = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    assert serve[1:] == [
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "${YINLING_BUREAU_PORT}",
        "--workers",
        "${YINLING_BUREAU_WORKERS}",
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    env = dict(
        line.split("=", 1) for line in (PACKAGING / "env").read_text(encoding="utf-8").splitlines() if "=" in line
    )
    site = (PACKAGING / "nginx-yinling-bureau.conf").read_text(encoding="utf-8")
    assert f"server 127.0.0.1:{env['YINLING_BUREAU_PORT']};" in site


def nginx_config(folder: Path, bureau_port: int, https_port: int, http_port: int, ca: trustme.CA) -> Path:
    """The sample site with this machine's ports and a certificate `ca` issued, inside a main
    configuration that keeps every file nginx writes in `folder`."""
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    certificate.private_key_pem.write_to_path(str(folder / "privkey.pem"))
    certificate.cert_chain_pems[0].write_to_path(str(folder / "fullchain.pem"))
    site = (PACKAGING / "nginx-yinling-bureau.conf").read_text(encoding="utf-8")
    for old, new in (
        ("server 127.0.0.1:8800;", f"server 127.0.0.1:{bureau_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("    listen [::]:80;\n", ""),
        ("/etc/ssl/yinling-bureau/", f"{folder}/"),
    ):
        assert site.count(old) == 1 or old.startswith("/etc/ssl") and site.count(old) == 2, old
        site = site.replace(old, new)
    (folder / "yinling-bureau.conf").write_text(site, encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};" for kind in kinds)
    main = folder / "nginx.conf"
    main.write_text(
        f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "user root;\n"  # the workers read and write the test's own folder
        "events { worker_connections 64; }\n"
        f"http {{\n    access_log {folder}/access.log;\n{temp}\n    include {folder}/yinling-bureau.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


def test_the_nginx_site_passes_nginx_t(tmp_path):
    main = nginx_config(tmp_path, 8800, 8443, 8080, trustme.CA())
    done = subprocess.run(
        ["nginx", "-t", "-e", str(tmp_path / "error.log"), "-c", str(main)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr
    site = (PACKAGING / "nginx-yinling-bureau.conf").read_text(encoding="utf-8")
    assert f"client_max_body_size {MAX_BODY // 2**20}m;" in site  # a push the bureau takes, nginx passes
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
