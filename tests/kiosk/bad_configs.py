"""Bad site files and what the one-line message must name (shared by test_config and test_main)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bad:
    id: str
    content: bytes
    key: str | None  # the setting the message must name (None: the file is unreadable as a whole)
    also: tuple[str, ...] = ()  # further text the message must hold


def _b(text: str) -> bytes:
    return text.encode("utf-8")


CASES = [
    Bad("unknown-key", _b("[checkin]\nwindow_befor_min = 30\n"), "checkin.window_befor_min"),
    Bad("unknown-table", _b('[scanner]\nport = "COM3"\n'), "scanner"),
    Bad("unknown-printer-key", _b('[printer]\nport = "COM3"\n'), "printer.port"),
    Bad("printer-paper-width", _b("[printer]\nwidth_mm = 57\n"), "printer.width_mm", ("57", "58 或 80")),
    Bad("printer-baud", _b("[printer]\nbaud = 11520\n"), "printer.baud", ("11520",)),
    Bad("printer-without-device", _b('[printer]\nenabled = true\ndevice = " "\n'), "printer.device"),
    Bad("unknown-nested-key", _b("[devices.keyboard_wedge]\nmax_gap_ms = 60\n"), "devices.keyboard_wedge.max_gap_ms"),
    Bad("table-given-as-value", _b('site = "DEMO-001"\n'), "site"),
    Bad("wrong-type-str-for-int", _b('[checkin]\nwindow_before_min = "30"\n'), "checkin.window_before_min", ("'30'",)),
    Bad("wrong-type-float-for-int", _b("[checkin]\nrepeat_window_s = 2.5\n"), "checkin.repeat_window_s"),
    Bad("wrong-type-int-for-bool", _b("[kiosk]\nkiosk_mode = 1\n"), "kiosk.kiosk_mode"),
    Bad("wrong-type-bool-for-float", _b("[display]\npx_per_mm = true\n"), "display.px_per_mm"),
    Bad("wrong-type-list-item", _b("[display]\nfallback_fonts = [1]\n"), "display.fallback_fonts"),
    Bad("wrong-type-value-for-table", _b('[display]\nfont = { path = "x.otf" }\n'), "display.font"),
    Bad("out-of-range-negative", _b("[checkin]\nwindow_before_min = -1\n"), "checkin.window_before_min", ("-1",)),
    Bad("out-of-range-high", _b("[checkin]\nrepeat_window_s = 601\n"), "checkin.repeat_window_s", ("601",)),
    Bad("out-of-range-result-timeout", _b("[display]\nresult_timeout_s = 5\n"), "display.result_timeout_s"),
    Bad("out-of-range-float", _b("[display]\npx_per_mm = 0.5\n"), "display.px_per_mm"),
    Bad("out-of-range-nan", _b("[display]\npx_per_mm = nan\n"), "display.px_per_mm"),
    Bad(
        "out-of-range-nested",
        _b("[devices.keyboard_wedge]\nmax_key_gap_ms = 0\n"),
        "devices.keyboard_wedge.max_key_gap_ms",
    ),
    Bad("not-a-baud-rate", _b("[devices.idcard]\nbaud = 12345\n"), "devices.idcard.baud", ("12345",)),
    Bad("baud-zero", _b("[devices.qr_serial]\nbaud = 0\n"), "devices.qr_serial.baud"),
    Bad("poll-interval-zero", _b("[devices.idcard]\npoll_interval_ms = 0\n"), "devices.idcard.poll_interval_ms"),
    Bad("idle-gap-too-long", _b("[devices.qr_serial]\nidle_gap_ms = 99999\n"), "devices.qr_serial.idle_gap_ms"),
    Bad("not-a-choice-level", _b('[logging]\nlevel = "VERBOSE"\n'), "logging.level", ("VERBOSE",)),
    Bad("not-a-choice-language", _b('[kiosk]\nlanguage = "fr_FR"\n'), "kiosk.language", ("fr_FR",)),
    Bad("empty-site-code", _b('[site]\ncode = ""\n'), "site.code"),
    Bad("blank-kiosk-id", _b('[kiosk]\nid = "   "\n'), "kiosk.id"),
    Bad("empty-data-dir", _b('[kiosk]\ndata_dir = ""\n'), "kiosk.data_dir"),
    Bad(
        "key-not-hex",
        _b('[security]\ncard_key = "this is not hex at all, but long enough to be"\n'),
        "security.card_key",
    ),
    Bad("key-too-short", _b('[security]\nid_hash_key = "00112233445566778899aabbccddeeff"\n'), "security.id_hash_key"),
    Bad(
        "missing-font",
        _b('[display]\nfont = "assets/fonts/NoSuchFont.otf"\n'),
        "display.font",
        ("assets/fonts/NoSuchFont.otf",),
    ),
    Bad(
        "missing-bold-font",
        _b('[display]\nfont_bold = "/nonexistent/Bold.otf"\n'),
        "display.font_bold",
        ("/nonexistent/Bold.otf",),
    ),
    Bad(
        "missing-demo-data",
        _b('[site]\ndemo_data = "config/demo/nope.toml"\n'),
        "site.demo_data",
        ("config/demo/nope.toml",),
    ),
    Bad("opening-time-not-hh-mm", _b('[display]\nopen_from = "7:30am"\n'), "display.open_from", ("7:30am",)),
    Bad("opening-time-out-of-day", _b('[display]\nopen_until = "24:30"\n'), "display.open_until"),
    Bad("idle-warning-not-before-idle", _b("[display]\nidle_s = 40\nidle_warning_s = 40\n"), "display.idle_warning_s"),
    Bad(
        "staff-idle-warning-not-before-idle", _b("[staff]\nidle_s = 60\nidle_warning_s = 60\n"), "staff.idle_warning_s"
    ),
    Bad("staff-lockout-never", _b("[staff]\nlockout_after = 0\n"), "staff.lockout_after"),
    Bad("staff-member-prefix-lowercase", _b('[staff]\nmember_prefix = "dm-"\n'), "staff.member_prefix", ("dm-",)),
    Bad("large-text-smaller", _b("[display]\nlarge_text_scale = 0.8\n"), "display.large_text_scale"),
    Bad("voice-volume-over-100", _b("[voice]\nvolume = 150\n"), "voice.volume", ("150",)),
    Bad("voice-player-empty", _b("[voice]\nplayer = []\n"), "voice.player"),
    Bad("sync-url-not-a-url", _b('[sync]\nurl = "bureau.local"\n'), "sync.url", ("bureau.local",)),
    Bad("sync-url-without-key", _b('[sync]\nurl = "http://127.0.0.1:8800"\n'), "sync.key"),
    Bad("sync-key-too-short", _b('[sync]\nurl = "http://127.0.0.1:8800"\nkey = "abcd"\n'), "sync.key"),
    Bad(
        "sync-plain-http-to-another-host",
        _b(f'[sync]\nurl = "http://10.0.0.5:8800"\nkey = "{"ab" * 32}"\n'),
        "sync.url",
        ("http://10.0.0.5:8800", "https://", "sync.ca_file"),
    ),
    Bad(
        "sync-plain-http-to-a-name",
        _b(f'[sync]\nurl = "http://bureau.example.gov.cn"\nkey = "{"ab" * 32}"\n'),
        "sync.url",
        ("https://",),
    ),
    Bad(
        "sync-ca-file-missing",
        _b(f'[sync]\nurl = "https://bureau.example.gov.cn"\nkey = "{"ab" * 32}"\nca_file = "/nowhere/ca.pem"\n'),
        "sync.ca_file",
        ("/nowhere/ca.pem",),
    ),
    Bad("sync-nightly-not-a-time", _b('[sync]\nnightly_at = "2:30am"\n'), "sync.nightly_at"),
    Bad("sync-batch-too-big", _b("[sync]\nbatch = 5000\n"), "sync.batch"),
    Bad("toml-syntax", _b("[checkin\nwindow_before_min = 30\n"), None, ("line 1",)),
    Bad("toml-duplicate-key", _b("[checkin]\nwindow_before_min = 30\nwindow_before_min = 20\n"), None, ("line 3",)),
    # A site file saved as GBK by a Chinese-language editor.
    Bad("not-utf8", '[site]\nname = "示范区老干部活动中心"\n'.encode("gbk"), None),
]
