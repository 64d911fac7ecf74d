"""The kiosk box's Debian package (tools/package.py), built once for this machine's arch with a
real release bundle (tools/release.py) and a signing key of the test's own, then inspected
(`dpkg-deb -c`, `-I`, `-e`) and installed into a Debian 12 chroot (tools/deb-install: a cached
debootstrap base and a cached layer of the package's dependencies, then `dpkg -i`, so the
maintainer scripts run for real: user, folders, the first release's venv, units, rules, setup,
remove and purge).  The full `apt install ./x.deb` on a pristine base is the manual run
(`tools/deb-install --apt`, docs/install.md §6).  Xvfb is added to the chroot (--with xvfb) to
start the installed kiosk's session to its home screen."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.bureau_files import SITE, SITE_NAME, bureau, bureau_keys
from tests.packaging.test_session import free_display
from tools import package
from tools.checkout import ROOT

DEB_INSTALL = ROOT / "tools" / "deb-install"
# Every file of the package: its mode as `dpkg-deb -c` shows it (all owned by root:root).
FILES = {
    "./etc/X11/xorg.conf.d/50-yinling.conf": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-kiosk.service": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-update.path": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-update.service": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-confirm.path": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-confirm.service": "-rw-r--r--",
    "./usr/lib/systemd/system/yinling-confirm.timer": "-rw-r--r--",
    "./usr/lib/udev/rules.d/60-yinling.rules": "-rw-r--r--",
    "./usr/lib/yinling/session": "-rwxr-xr-x",
    "./usr/lib/yinling/yinling-update": "-rwxr-xr-x",
    "./usr/share/doc/yinling-kiosk/install.md": "-rw-r--r--",
    "./usr/share/yinling/keys/release.pem": "-rw-r--r--",
    "./usr/bin/yinling-kiosk": "lrwxrwxrwx",
}


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("deb")
    key = folder / "release-signing.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)], check=True)
    return package.build(package.host_arch(), key, folder / "dist")


def listing(deb: Path) -> dict[str, tuple[str, str]]:
    """path -> (mode, owner) of each file and link, as `dpkg-deb -c` lists them."""
    out = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        mode, owner, _size, _day, _time, path, *_link = line.split()
        if not mode.startswith("d"):
            found[path] = (mode, owner)
    return found


def test_the_package_holds_the_box_files_owned_by_root(deb):
    assert deb.name == f"yinling-kiosk_{package.version()}_{package.host_arch()}.deb"
    files = listing(deb)
    bundle = f"./usr/share/yinling/release/yinling-kiosk_{package.version()}_{package.host_arch()}.bundle"
    assert files == {**{path: (mode, "root/root") for path, mode in FILES.items()}, bundle: ("-rw-r--r--", "root/root")}
    link = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "./usr/bin/yinling-kiosk -> /opt/yinling/current/bin/yinling-kiosk" in link


def test_control_conffiles_and_maintainer_scripts(deb, tmp_path):
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^ (\S+): (.*)$", info, re.M))
    assert fields["Package"] == "yinling-kiosk" and fields["Architecture"] == package.host_arch()
    depends = [d.strip() for d in fields["Depends"].split(",")]
    for needed in ("python3 (>= 3.11)", "python3-venv", "openssl", "xserver-xorg-core", "xinit", "udev", "adduser"):
        assert needed in depends
    control = tmp_path / "DEBIAN"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    assert (control / "conffiles").read_text(encoding="utf-8") == "/etc/X11/xorg.conf.d/50-yinling.conf\n"
    for script in ("postinst", "prerm", "postrm"):
        assert os.access(control / script, os.X_OK)
        done = subprocess.run(["dash", "-n", str(control / script)], capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, "")


def test_the_updater_in_the_package_runs_on_the_standard_library(deb, tmp_path):
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp_path)], check=True)
    done = subprocess.run(
        ["/usr/bin/python3", "-I", str(tmp_path / "usr/lib/yinling/yinling-update"), "status"],
        capture_output=True,
        text=True,
        env={"YINLING_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "current:  -" in done.stdout


CHECKS = r"""
set -u
say() { echo "$1=$2"; }
say passwd "$(passwd -S yinling | cut -d' ' -f2)"
say shell "$(getent passwd yinling | cut -d: -f6,7)"
say groups "$(id -nG yinling)"
for p in /etc/yinling /var/lib/yinling /var/lib/yinling/updates /var/lib/yinling/updates/incoming \
         /var/lib/yinling/updates/confirmed /opt/yinling/releases; do
    say "mode $p" "$(stat -c '%U:%G %a' "$p")"
done
say current "$(readlink /opt/yinling/current)"
yinling-kiosk --help >/dev/null; say help "$?"
units="yinling-kiosk.service yinling-update.path yinling-confirm.path yinling-confirm.timer"
say enabled "$(systemctl is-enabled $units | xargs)"
say verify "$(systemd-analyze verify $units yinling-update.service yinling-confirm.service 2>&1 | xargs)"
# udev (252 has no `udevadm verify`): the rules are read with no complaint, and a broken local
# rule would be reported.
rules=/usr/lib/udev/rules.d/60-yinling.rules local=/etc/udev/rules.d/59-yinling-local.rules
say udev_read "$(udevadm test /sys/class/tty/tty 2>&1 | grep -c "Reading rules file: $rules")"
say udev_said "$(udevadm test /sys/class/tty/tty 2>&1 | grep "$rules:" | xargs)"
echo 'SUBSYSTEM=="tty", ATTRS{idVendor}=="abcd", ENV{YINLING_DEVICE}="qr", GROUPP="x"' >"$local"
say udev_broken "$(udevadm test /sys/class/tty/tty 2>&1 | grep -c "$local:1")"
rm "$local"
# setup, from the bureau's file on a USB stick
mkdir -p /media/usb
cat >/media/usb/HD-001-K01.toml <<'TOML'
@BUREAU_FILE@TOML
yinling-kiosk setup </dev/null >/tmp/setup.out 2>&1; say setup_without_yes "$?"
yinling-kiosk setup --yes >/tmp/setup.out 2>&1; say setup "$?"
say site_mode "$(stat -c '%U:%G %a' /etc/yinling/site.toml)"
say idcard "$(grep -A1 'devices.idcard' /etc/yinling/site.toml | tail -1)"
runuser -u yinling -- yinling-kiosk --config /etc/yinling/site.toml --data-dir /var/lib/yinling \
    staff list >/dev/null 2>&1
say as_yinling "$?"
say db "$(stat -c '%U:%G %a' /var/lib/yinling/kiosk.db)"
# The installed kiosk, started as yinling by its own session script, with Xvfb in place of Xorg:
# polled (0.1 s, at most 90 s) for its log's "home screen ready", then stopped.
xserver="/usr/bin/Xvfb :@DISPLAY@ -screen 0 1920x1080x24 +extension GLX -nolisten tcp"
started=$(date +%s%N)
setsid runuser -u yinling -- env YINLING_XSERVER="$xserver" /usr/lib/yinling/session >/tmp/session.log 2>&1 &
session=$!
ready=no
for _ in $(seq 900); do
    if grep -q "home screen ready" /var/lib/yinling/logs/kiosk.log 2>/dev/null; then ready=yes; break; fi
    kill -0 $session 2>/dev/null || break
    sleep 0.1
done
say home_ready "$ready"
say home_after_ms "$(( ($(date +%s%N) - started) / 1000000 ))"
kill -TERM -- -$session; wait $session
say kiosk_errors "$(grep -c -E ' (ERROR|CRITICAL) ' /var/lib/yinling/logs/kiosk.log)"
dpkg -r yinling-kiosk >/dev/null 2>&1
say removed "$(ls /var/lib/yinling | xargs) etc:$(ls /etc/yinling | xargs) opt:$(ls /opt | xargs)"
dpkg --purge yinling-kiosk >/dev/null 2>&1; say purged "$(ls -d /var/lib/yinling /etc/yinling 2>/dev/null | xargs)"
say user_after_purge "$(getent passwd yinling | cut -d: -f1)"
"""


@pytest.fixture(scope="module")
def bureau_file(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("bureau")
    db = folder / "bureau.db"
    bureau(db, "site", "add", SITE, SITE_NAME)
    keys = bureau_keys(folder)
    url = "https://bureau.example.gov.cn"
    return bureau(db, "kiosk", "add", "--site", SITE, "--url", url, "--keys", str(keys)).stdout


def test_installed_into_a_debian_12_chroot(deb, bureau_file, tmp_path):
    command = ["sudo", "-n", str(DEB_INSTALL)] if os.geteuid() else [str(DEB_INSTALL)]
    script = CHECKS.replace("@BUREAU_FILE@", bureau_file).replace("@DISPLAY@", str(free_display()))
    done = subprocess.run(
        [*command, "--with", "xvfb", "--logs", str(tmp_path / "logs"), str(deb), "--", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=900,  # the first run builds the base (~1.5 min) and the dependencies' layer (~1 min)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    seen = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line and not line.startswith("["))
    # The locked-down user, with the groups of docs/install.md.
    assert seen["passwd"] == "L" and seen["shell"] == "/var/lib/yinling:/usr/sbin/nologin"
    assert set(seen["groups"].split()) == {"yinling", "dialout", "input", "video", "render", "audio"}
    assert seen["mode /etc/yinling"] == "root:yinling 750"
    assert seen["mode /var/lib/yinling"] == "yinling:yinling 750"
    assert seen["mode /var/lib/yinling/updates"] == "root:root 755"
    assert seen["mode /var/lib/yinling/updates/incoming"] == "yinling:yinling 770"
    assert seen["mode /var/lib/yinling/updates/confirmed"] == "yinling:yinling 755"
    assert seen["mode /opt/yinling/releases"] == "root:root 755"
    # The embedded release, installed by the postinst with the updater.
    assert seen["current"] == f"releases/{package.version()}" and seen["help"] == "0"
    assert seen["enabled"] == "enabled enabled enabled enabled"
    # The installed units against the installed programs, and the rules, with no complaint.
    assert seen["verify"] == ""
    assert seen["udev_read"] == "1" and seen["udev_said"] == "" and seen["udev_broken"] == "1"
    # setup: needs --yes with nobody to ask; writes root:yinling 0640; the kiosk, as yinling, starts on it.
    assert seen["setup_without_yes"] == "1" and seen["setup"] == "0"
    assert seen["site_mode"] == "root:yinling 640"
    assert seen["idcard"] == 'port = "/dev/yinling-idcard"'
    assert seen["as_yinling"] == "0" and seen["db"].startswith("yinling:yinling")
    # The installed release draws its home screen in its own session, as user yinling.
    assert seen["home_ready"] == "yes" and seen["kiosk_errors"] == "0", done.stdout
    # remove keeps the data and the site file, and takes the releases; purge takes the data too.
    removed = seen["removed"]
    assert "kiosk.db" in removed and "etc:site.toml" in removed and "yinling" not in removed.split("opt:")[1]
    assert seen["purged"] == "" and seen["user_after_purge"] == "yinling"
    install = re.search(r"install: (\d+) s", done.stdout)
    assert install, done.stdout
    size_mb = deb.stat().st_size / 1e6
    print(f"chroot install {install.group(1)} s, home screen {seen['home_after_ms']} ms; .deb {size_mb:.1f} MB")


def test_the_bureau_file_is_what_setup_reads(bureau_file):
    given = tomllib.loads(bureau_file)
    assert given["site"] == {"code": SITE, "name": SITE_NAME} and set(given["security"]) == {"id_hash_key", "card_key"}
