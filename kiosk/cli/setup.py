"""yinling-kiosk [--config FILE] setup [--from FILE] [--yes]: write this box's site file
(docs/install.md).

The settings come from what `yinling-bureau kiosk add` printed, found by itself on a USB stick
(*.toml under /media), or given with --from FILE (- = standard input).  Setup adds what a real
site always has (full screen, no demo data, no typed cards) and the devices udev named
(packaging/kiosk/udev/60-yinling.rules), shows the site's name and the kiosk's id for a
confirmation, checks the result with the kiosk's own settings loader and writes FILE (default
/etc/yinling/site.toml) root:yinling 0640.  Exit codes: 0 written, 1 refused or not confirmed.
"""

import argparse
import grp
import json
import os
import sys
import tempfile
import tomllib
from pathlib import Path
from types import SimpleNamespace

from kiosk import config
from kiosk.i18n import t

SITE_FILE = Path("/etc/yinling/site.toml")
DATA_DIR = Path("/var/lib/yinling")
MEDIA = Path("/media")
GROUP = "yinling"
# The bureau's file must name these; the rest setup decides.
NEEDED = ("site.code", "site.name", "kiosk.id", "sync.url", "sync.key", "security.id_hash_key", "security.card_key")
# (udev's stable name, the setting that takes it)
DEVICES = (("yinling-idcard", "idcard"), ("yinling-qr", "qr_serial"))
STICK_DEPTHS = ("*/*.toml", "*/*/*.toml", "*/*/*/*.toml")
NO_SETTINGS = {"setup"}  # boot.start loads no site file for it: it writes one


def add(sub) -> None:
    p = sub.add_parser("setup", help="write the site file from the bureau's `kiosk add` output (USB stick or --from)")
    p.add_argument("--from", dest="source", metavar="FILE", help="the bureau's file (- = standard input)")
    p.add_argument("--yes", action="store_true", help="do not ask for a confirmation")
    p.add_argument("--media", type=Path, default=MEDIA, help=argparse.SUPPRESS)  # tests: a stick elsewhere
    p.add_argument("--dev", type=Path, default=Path("/dev"), help=argparse.SUPPRESS)  # tests: udev's names elsewhere
    p.add_argument("--group", default=GROUP, help=argparse.SUPPRESS)  # tests: a machine with no user yinling


def run(args: argparse.Namespace, _settings: SimpleNamespace) -> int:
    target = Path(args.config) if args.config else SITE_FILE
    data_dir = Path(args.data_dir) if args.data_dir else DATA_DIR
    try:
        source, text = _source(args)
        given = _parse(source, text)
        site = _complete(given, args.dev)
        if not (args.yes or _confirmed(site, source)):
            print(t("setup.cancelled"), file=sys.stderr)
            return 1
        _write(site, target, data_dir, args.group)
    except SetupError as e:
        print(e, file=sys.stderr)
        return 1
    print(t("setup.written", file=target, name=site["site"]["name"], kiosk=site["kiosk"]["id"]))
    return 0


class SetupError(Exception):
    """Why setup wrote nothing, for whoever sits at the box (str() is the message)."""


def _source(args: argparse.Namespace) -> tuple[str, str]:
    """Where the bureau's settings come from, and their text."""
    if args.source == "-":
        return t("setup.stdin"), sys.stdin.read()
    if args.source:
        return args.source, _read(Path(args.source))
    # A stick mounts at /media/<name> or /media/<user>/<label>: its top folder and one below.
    candidates = [p for depth in STICK_DEPTHS for p in args.media.glob(depth)]
    found = sorted(p for p in candidates if p.is_file() and _from_bureau(p))
    if len(found) > 1:
        raise SetupError(t("setup.several", files="\n".join(f"  {p}" for p in found)))
    if found:
        return str(found[0]), _read(found[0])
    if not sys.stdin.isatty():
        return t("setup.stdin"), sys.stdin.read()
    raise SetupError(t("setup.nothing", media=args.media))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise SetupError(t("setup.garbage", file=path, error=e)) from None
    except OSError as e:
        raise SetupError(t("setup.unreadable", file=path, error=e.strerror)) from None


def _from_bureau(path: Path) -> bool:
    """Whether a file on the stick is a `kiosk add` output (other .toml files may be there)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("kiosk"), dict) and "id" in data["kiosk"] and isinstance(data.get("sync"), dict)


def _parse(source: str, text: str) -> dict:
    try:
        given = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SetupError(t("setup.garbage", file=source, error=e)) from None
    missing = [key for key in NEEDED if not _get(given, key)]
    if missing:
        raise SetupError(t("setup.missing", file=source, keys="、".join(missing)))
    return given


def _get(d: dict, key: str):
    for part in key.split("."):
        d = d.get(part) if isinstance(d, dict) else None  # type: ignore[assignment]
    return d


def _complete(given: dict, dev: Path) -> dict:
    """The bureau's settings with what every real site has and the devices found."""
    site = {section: dict(values) if isinstance(values, dict) else values for section, values in given.items()}
    site.setdefault("site", {})["demo_data"] = ""
    site.setdefault("kiosk", {})["kiosk_mode"] = True
    devices = site.setdefault("devices", {})
    for name, setting in DEVICES:
        # The reader is the kiosk's own: named even when unplugged now (staff see 「未连接」).
        wanted = name == "yinling-idcard" or (dev / name).exists()
        devices.setdefault(setting, {})["port"] = str(dev / name) if wanted else ""
    devices.setdefault("keyboard_wedge", {})["accept_typed"] = False
    return site


def _confirmed(site: dict, source: str) -> bool:
    idcard, qr = site["devices"]["idcard"]["port"], site["devices"]["qr_serial"]["port"] or t("setup.none")
    print(
        t(
            "setup.confirm",
            file=source,
            name=site["site"]["name"],
            code=site["site"]["code"],
            kiosk=site["kiosk"]["id"],
            url=site["sync"]["url"],
            idcard=idcard,
            qr=qr,
        )
    )
    try:
        answer = input(t("setup.ask"))
    except EOFError:
        raise SetupError(t("setup.need_yes")) from None
    return answer.strip().lower() in ("y", "yes", "是", "好", "确认")


def _write(site: dict, target: Path, data_dir: Path, group: str) -> None:
    """Checked by the kiosk's own loader, then put in place whole (a new file renamed over)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".site-", suffix=".toml", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_toml(site))
        try:
            config.load(temporary, data_dir)
        except config.ConfigError as e:
            raise SetupError(t("setup.invalid", error=e)) from None
        _owner(temporary, group)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def _owner(path: Path, group: str) -> None:
    """root:yinling 0640: the kiosk reads it, only root changes it (not root: a test's own)."""
    path.chmod(0o640)
    if os.geteuid() == 0:
        try:
            os.chown(path, 0, grp.getgrnam(group).gr_gid)
        except KeyError:
            raise SetupError(t("setup.no_group", group=group)) from None


def _toml(site: dict, prefix: str = "") -> str:
    """TOML of nested tables of strings, numbers, booleans and lists of strings."""
    lines, tables = [], []
    for key, value in site.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    text = (f"[{prefix}]\n" if prefix and lines else "") + "".join(f"{line}\n" for line in lines)
    for key, value in tables:
        text += ("\n" if text else "") + _toml(value, f"{prefix}.{key}" if prefix else key)
    return text


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # a string or a list of them: JSON is TOML here
