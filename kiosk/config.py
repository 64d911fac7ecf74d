"""Settings: config/default.toml (shipped with the kiosk) overlaid by a site file.

default.toml is also the schema: a site file may only name keys that exist there, with a value
of the same type.  Every problem stops start-up with one message naming the key and the file.
"""

import ipaddress
import logging
import re
import tomllib
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from kiosk import overlay, resources
from kiosk.i18n import t

DEFAULT_FILE = resources.default_settings()
KEYS = ("security.id_hash_key", "security.card_key")  # the bureau's keys, the same at all its sites
log = logging.getLogger(__name__)


class ConfigError(Exception):
    """A setting is wrong, unknown or missing; str() is the message for the operator."""


def load(path: str | Path | None = None, data_dir: str | Path | None = None) -> SimpleNamespace:
    """The settings from default.toml, overlaid by `path`, with `data_dir` overriding kiosk.data_dir."""
    settings = _read(DEFAULT_FILE)
    source: dict[str, Path | str] = dict.fromkeys(_leaves(settings), DEFAULT_FILE)
    if path is not None:
        overlay = _read(Path(path))
        _merge(settings, overlay, Path(path), source)
    if data_dir is not None:
        settings["kiosk"]["data_dir"] = str(data_dir)
        source["kiosk.data_dir"] = "--data-dir"
    _bureau(settings)
    _validate(settings, source)
    _resolve_paths(settings)
    return _namespace(settings)


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(t("config.missing_file", file=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:  # TOML files must be UTF-8
        raise ConfigError(t("config.syntax", file=path, error=e)) from None
    except OSError as e:
        raise ConfigError(t("config.unreadable", file=path, error=e.strerror)) from None


def _leaves(d: dict, prefix: str = "") -> list[str]:
    keys = []
    for k, v in d.items():
        if isinstance(v, dict):
            keys += _leaves(v, f"{prefix}{k}.")
        else:
            keys.append(f"{prefix}{k}")
    return keys


def _merge(base: dict, overlay: dict, file: Path, source: dict, prefix: str = "") -> None:
    for k, v in overlay.items():
        key = f"{prefix}{k}"
        if k not in base:
            raise ConfigError(t("config.unknown_key", key=key, file=file))
        if isinstance(base[k], dict):
            if not isinstance(v, dict):
                raise ConfigError(t("config.need_table", key=key, file=file))
            _merge(base[k], v, file, source, f"{key}.")
            continue
        if not _same_type(base[k], v):
            raise ConfigError(t("config.wrong_type", key=key, file=file, expected=_type_word(base[k]), value=repr(v)))
        base[k] = float(v) if isinstance(base[k], float) else v
        source[key] = file


def _bureau(settings: dict) -> None:
    """The bureau's settings for this kiosk, as last pulled, over the files: only the keys it may
    set, and only good values (checked here, so validation never fails for them), as the bureau
    must never stop a kiosk from starting."""
    rows = overlay.stored(resources.path(settings["kiosk"]["data_dir"]))
    for key, value in overlay.merged(rows, settings["site"]["code"], settings["kiosk"]["id"]).items():
        section, name = key.split(".")
        settings[section][name] = from_bureau(key, value, settings[section][name])


def from_bureau(key: str, value, current):
    """`value` if it is good for `key` (the type of its default, within its rule), else `current`
    with a warning."""
    check = _CHECKS.get(key)
    if _same_type(current, value) and (check is None or check(value)):
        return value
    log.warning("the bureau's value %r for %s is not valid: %r kept", value, key, current)
    return current


def _same_type(default, value) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return type(default) is type(value)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    return type(default) is type(value)


def _type_word(default) -> str:
    for typ, word in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str"), (list, "list")):
        if isinstance(default, typ):
            return t(f"config.type.{word}")
    return type(default).__name__


# Checks beyond the type: (key, test, message key).
SIMULATOR = "simulator"  # a device port that starts the built-in simulator
DEMO_PREFIX = "DM"  # the demo site's member numbers (default.toml)
PAPER_WIDTHS = (58, 80)  # mm: a receipt printer's paper (kiosk/printing/layout.py)
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
_RULES = [
    ("site.code", lambda v: v.strip() != "", "config.required"),
    ("kiosk.id", lambda v: v.strip() != "", "config.required"),
    ("kiosk.data_dir", lambda v: v.strip() != "", "config.required"),
    ("security.id_hash_key", lambda v: _hex_len(v) >= 32, "config.bad_key"),
    ("security.card_key", lambda v: _hex_len(v) >= 32, "config.bad_key"),
    ("checkin.window_before_min", lambda v: 0 <= v <= 24 * 60, "config.range"),
    ("checkin.window_after_min", lambda v: 0 <= v <= 24 * 60, "config.range"),
    ("checkin.repeat_window_s", lambda v: 0 <= v <= 600, "config.range"),
    ("display.width", lambda v: 320 <= v <= 10000, "config.range"),
    ("display.height", lambda v: 240 <= v <= 10000, "config.range"),
    ("display.px_per_mm", lambda v: 1.0 <= v <= 40.0, "config.range"),
    ("display.result_timeout_s", lambda v: 10 <= v <= 600, "config.range"),
    ("display.large_text_scale", lambda v: 1.0 <= v <= 2.0, "config.range"),
    ("display.idle_s", lambda v: 30 <= v <= 3600, "config.range"),
    ("display.idle_warning_s", lambda v: 20 <= v <= 600, "config.range"),
    ("display.attract_after_s", lambda v: 10 <= v <= 3600, "config.range"),
    ("display.attract_rotate_s", lambda v: 5 <= v <= 600, "config.range"),
    ("display.open_from", lambda v: _hhmm(v), "config.time"),
    ("display.open_until", lambda v: _hhmm(v), "config.time"),
    ("staff.idle_s", lambda v: 30 <= v <= 3600, "config.range"),
    ("staff.idle_warning_s", lambda v: 5 <= v <= 600, "config.range"),
    ("staff.lockout_after", lambda v: 1 <= v <= 20, "config.range"),
    ("staff.lockout_first_s", lambda v: 1 <= v <= 86400, "config.range"),
    ("staff.lockout_max_s", lambda v: 1 <= v <= 7 * 86400, "config.range"),
    ("staff.member_prefix", lambda v: re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", v) is not None, "config.choice"),
    ("staff.care_missed_in_row", lambda v: 1 <= v <= 50, "config.range"),
    ("staff.care_absent_weeks", lambda v: 1 <= v <= 104, "config.range"),
    ("sync.url", lambda v: v == "" or re.fullmatch(r"https?://[^\s/]+(/\S*)?", v) is not None, "config.url"),
    ("sync.batch", lambda v: 1 <= v <= 500, "config.range"),
    ("sync.push_delay_s", lambda v: 0 <= v <= 600, "config.range"),
    ("sync.pull_every_s", lambda v: 10 <= v <= 86400, "config.range"),
    ("sync.nightly_at", lambda v: _hhmm(v), "config.time"),
    ("sync.timeout_s", lambda v: 1 <= v <= 600, "config.range"),
    ("sync.backoff_first_s", lambda v: 0.1 <= v <= 600, "config.range"),
    ("sync.backoff_max_s", lambda v: 1 <= v <= 86400, "config.range"),
    ("backup.at", lambda v: _hhmm(v), "config.time"),
    ("backup.keep_daily", lambda v: 1 <= v <= 366, "config.range"),
    ("backup.keep_weekly", lambda v: 0 <= v <= 520, "config.range"),
    ("storage.low_free_mb", lambda v: 1 <= v <= 1_000_000, "config.range"),
    ("storage.check_every_s", lambda v: 10 <= v <= 86400, "config.range"),
    ("voice.volume", lambda v: 0 <= v <= 100, "config.range"),
    ("voice.player", lambda v: len(v) > 0 and v[0].strip() != "", "config.required"),
    ("voice.pack", lambda v: v.strip() != "", "config.required"),
    ("devices.idcard.baud", lambda v: v in BAUDS, "config.choice"),
    ("devices.idcard.poll_interval_ms", lambda v: 20 <= v <= 5000, "config.range"),
    ("devices.qr_serial.baud", lambda v: v in BAUDS, "config.choice"),
    ("devices.qr_serial.idle_gap_ms", lambda v: 10 <= v <= 5000, "config.range"),
    ("printer.baud", lambda v: v in BAUDS, "config.choice"),
    ("printer.width_mm", lambda v: v in PAPER_WIDTHS, "config.printer_width"),
    ("devices.keyboard_wedge.max_key_gap_ms", lambda v: 1 <= v <= 10000, "config.range"),
    ("devices.keyboard_wedge.min_length", lambda v: 1 <= v <= 1000, "config.range"),
    ("logging.level", lambda v: v in ("DEBUG", "INFO", "WARNING", "ERROR"), "config.choice"),
    ("logging.max_bytes", lambda v: v >= 10_000, "config.range"),
    ("logging.backups", lambda v: 1 <= v <= 1000, "config.range"),
]
_CHECKS = {key: ok for key, ok, _ in _RULES}
_DEFAULTS = _read(DEFAULT_FILE)  # the demo's values, which a real site must not keep


def _hhmm(value: str) -> bool:
    try:
        return datetime.strptime(value, "%H:%M").strftime("%H:%M") == value
    except ValueError:
        return False


def _hex_len(value: str) -> int:
    try:
        return len(bytes.fromhex(value))
    except ValueError:
        return 0


def _get(settings: dict, key: str):
    node = settings
    for part in key.split("."):
        node = node[part]
    return node


def _validate(settings: dict, source: dict) -> None:
    from kiosk import i18n

    for key, ok, message in _RULES:
        value = _get(settings, key)
        if not ok(value):
            raise ConfigError(t(message, key=key, file=source[key], value=repr(value)))
    for section in ("display", "staff"):
        timer = settings[section]
        if timer["idle_warning_s"] >= timer["idle_s"]:
            key = f"{section}.idle_warning_s"
            raise ConfigError(t("config.range", key=key, file=source[key], value=repr(timer["idle_warning_s"])))
    language = settings["kiosk"]["language"]
    if language not in i18n.languages():
        raise ConfigError(t("config.choice", key="kiosk.language", file=source["kiosk.language"], value=repr(language)))
    for key in ("display.font", "display.font_bold"):
        if not resources.path(_get(settings, key)).is_file():
            raise ConfigError(t("config.no_such_file", key=key, file=source[key], value=_get(settings, key)))
    printer = settings["printer"]
    if printer["enabled"] and not printer["device"].strip():
        raise ConfigError(t("config.printer_device", key="printer.device", file=source["printer.device"]))
    demo = settings["site"]["demo_data"]
    if demo and not resources.path(demo).is_file():
        raise ConfigError(t("config.no_such_file", key="site.demo_data", file=source["site.demo_data"], value=demo))
    if not demo:
        _real_site(settings, source)
    # A bureau needs the key it issued to this kiosk.
    sync = settings["sync"]
    if sync["url"] and _hex_len(sync["key"]) != 32:
        raise ConfigError(t("config.sync_key", key="sync.key", file=source["sync.url"]))
    # Facts carry names and member data, and the bureau's replies change members and settings:
    # in the clear only on this machine itself, else over TLS with the bureau's certificate
    # checked (docs/sync-protocol.md §3.5).
    if sync["url"] and not _private_channel(sync["url"]):
        raise ConfigError(t("config.sync_plain_http", key="sync.url", file=source["sync.url"], value=sync["url"]))
    if sync["ca_file"] and not resources.path(sync["ca_file"]).is_file():
        raise ConfigError(
            t("config.no_such_file", key="sync.ca_file", file=source["sync.ca_file"], value=sync["ca_file"])
        )


def _private_channel(url: str) -> bool:
    """https://, or http:// to a loopback address (a bureau on the kiosk itself, a TLS proxy there)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _real_site(settings: dict, source: dict) -> None:
    """What a real site (no demo data) must not keep of the demo: its public keys, copied or
    not, or keys no machine made; its member-number prefix; simulated devices, which would show fake cards at a real
    front desk; a window a senior can close; cards typed by hand."""
    demo_keys = {_get(_DEFAULTS, key).lower() for key in KEYS}
    for key in KEYS:
        if source[key] == DEFAULT_FILE:
            raise ConfigError(t("config.demo_key", key=key, file=source["site.demo_data"]))
        if _get(settings, key).lower() in demo_keys:
            raise ConfigError(t("config.demo_key_value", key=key, file=source[key]))
        if not _random_looking(bytes.fromhex(_get(settings, key))):
            raise ConfigError(t("config.weak_key", key=key, file=source[key]))
    # The bureau issues each kiosk a member-number prefix of its own (`kiosk add` prints it): a
    # site left on the demo's would number alike with every other one left on it.
    if settings["staff"]["member_prefix"] == DEMO_PREFIX:
        raise ConfigError(t("config.demo_prefix", key="staff.member_prefix", file=source["site.demo_data"]))
    for key in ("devices.idcard.port", "devices.qr_serial.port", "printer.device"):
        if _get(settings, key) == SIMULATOR and (key != "printer.device" or settings["printer"]["enabled"]):
            raise ConfigError(t("config.simulator", key=key, file=source[key]))
    for key, needed in (("kiosk.kiosk_mode", True), ("devices.keyboard_wedge.accept_typed", False)):
        if _get(settings, key) is not needed:
            file = source["site.demo_data"] if source[key] == DEFAULT_FILE else source[key]
            raise ConfigError(t(f"config.real_site.{key.rsplit('.', 1)[1]}", key=key, file=file))


def _random_looking(key: bytes) -> bool:
    """Whether `key` could have come from a random generator: 32 random bytes have ~30 different
    values, and are next to never printable UTF-8 text, as a phrase written out in hex is."""
    try:
        text = key.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        text = False
    return len(set(key)) >= 16 and not text


def _resolve_paths(settings: dict) -> None:
    settings["kiosk"]["data_dir"] = str(resources.path(settings["kiosk"]["data_dir"]))
    d = settings["display"]
    d["font"], d["font_bold"] = str(resources.path(d["font"])), str(resources.path(d["font_bold"]))
    # A missing fallback font only narrows coverage; fonts.py logs it.
    d["fallback_fonts"] = [str(resources.path(p)) for p in d["fallback_fonts"]]
    demo = settings["site"]["demo_data"]
    settings["site"]["demo_data"] = str(resources.path(demo)) if demo else ""
    ca = settings["sync"]["ca_file"]
    settings["sync"]["ca_file"] = str(resources.path(ca)) if ca else ""
    b = settings["backup"]
    b["folder"] = (
        str(resources.path(b["folder"])) if b["folder"] else str(Path(settings["kiosk"]["data_dir"]) / "backups")
    )
    b["second_folder"] = str(resources.path(b["second_folder"])) if b["second_folder"] else ""
    v = settings["voice"]
    v["pack"] = str(resources.path(v["pack"]))
    v["recorded"] = str(resources.path(v["recorded"])) if v["recorded"] else ""
    s = settings["staff"]
    s["export_dir"] = (
        str(resources.path(s["export_dir"]))
        if s["export_dir"]
        else str(Path(settings["kiosk"]["data_dir"]) / "exports")
    )


def _namespace(d: dict) -> SimpleNamespace:
    return SimpleNamespace(**{k: _namespace(v) if isinstance(v, dict) else v for k, v in d.items()})
