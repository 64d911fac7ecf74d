"""Settings: defaults, the site overlay, and one clear message naming the key and the file."""

from pathlib import Path

import pytest

from kiosk import config
from tests.kiosk.bad_configs import CASES
from tests.kiosk.builders import MEMBER_PREFIX, SITE_KEYS
from tests.kiosk.conftest import write_site_file
from tools.checkout import ROOT


def test_defaults_load_with_their_types():
    s = config.load()
    assert s.site.code == "DEMO-001"
    assert s.checkin.window_before_min == 30 and s.checkin.window_after_min == 30
    assert s.checkin.repeat_window_s == 5
    assert isinstance(s.display.px_per_mm, float)
    assert s.display.mask_names is True
    assert s.devices.keyboard_wedge.max_key_gap_ms == 60
    assert len(bytes.fromhex(s.security.card_key)) >= 32


def test_relative_paths_resolve_against_the_project_folder():
    s = config.load()
    assert Path(s.kiosk.data_dir) == ROOT / "data"
    assert Path(s.display.font) == ROOT / "assets/fonts/NotoSansCJKsc-Regular.otf"
    assert Path(s.site.demo_data) == ROOT / "config/demo/site.toml"
    assert all(Path(p).is_absolute() for p in s.display.fallback_fonts)


def test_site_file_overlays_only_the_keys_it_names(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(
        '[site]\ncode = "GZ-TH-002"\n[checkin]\nwindow_before_min = 15\n'
        "[display]\npx_per_mm = 4\n[devices.keyboard_wedge]\naccept_typed = false\n",
        encoding="utf-8",
    )
    s = config.load(path)
    assert s.site.code == "GZ-TH-002"
    assert s.site.name == "示范区老干部活动中心"  # untouched default
    assert s.checkin.window_before_min == 15
    assert s.checkin.window_after_min == 30
    assert s.display.px_per_mm == 4.0 and isinstance(s.display.px_per_mm, float)
    assert s.devices.keyboard_wedge.accept_typed is False
    assert s.devices.keyboard_wedge.enabled is True


def test_data_dir_argument_overrides_the_setting(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[kiosk]\ndata_dir = "/somewhere/else"\n', encoding="utf-8")
    assert config.load(path, tmp_path / "d").kiosk.data_dir == str(tmp_path / "d")


def test_empty_demo_data_means_none(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('[site]\ndemo_data = ""\n' + SITE_KEYS, encoding="utf-8")
    assert config.load(path).site.demo_data == ""


@pytest.mark.parametrize("kept", ["security.id_hash_key", "security.card_key"])
def test_a_real_site_on_the_public_demo_keys_is_refused(tmp_path, kept):
    # A site file that turns the demo off but leaves one key at default.toml's public value.
    section, key = kept.split(".")
    own = {"id_hash_key": "1f" * 32, "card_key": "2e" * 32}
    del own[key]
    path = tmp_path / "site.toml"
    path.write_text(
        '[site]\ndemo_data = ""\n[security]\n' + "".join(f'{k} = "{v}"\n' for k, v in own.items()), encoding="utf-8"
    )
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, kept)


@pytest.mark.parametrize("stated", [False, True])
def test_a_real_site_on_the_demo_member_prefix_is_refused(tmp_path, stated):
    # Left at default.toml's DM, or copied from it: every site doing so would number alike.
    path = tmp_path / "site.toml"
    keys = SITE_KEYS.replace(f'member_prefix = "{MEMBER_PREFIX}"', 'member_prefix = "DM"' if stated else "")
    path.write_text('[site]\ndemo_data = ""\n' + keys, encoding="utf-8")
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, "staff.member_prefix", ("DM", "kiosk add"))


def test_the_demo_and_a_real_site_with_its_issued_prefix_start(tmp_path):
    assert config.load().staff.member_prefix == "DM"
    assert config.load(write_site_file(tmp_path)).staff.member_prefix == MEMBER_PREFIX


@pytest.mark.parametrize("device", ["idcard", "qr_serial"])
def test_a_real_site_on_simulated_devices_is_refused(tmp_path, device):
    path = tmp_path / "real.toml"
    path.write_text(
        SITE_KEYS.replace(f'[devices.{device}]\nport = ""', f'[devices.{device}]\nport = "simulator"')
        + '[site]\ndemo_data = ""\n',
        encoding="utf-8",
    )
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, f"devices.{device}.port")


def assert_clear(message: str, file: Path, key: str | None, also=()):
    assert message.startswith("配置错误")
    assert "\n" not in message
    assert str(file) in message
    if key is not None:
        assert f"“{key}”" in message
    for text in also:
        assert text in message


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_site_file_gives_one_message_naming_key_and_file(tmp_path, case):
    path = tmp_path / "bad.toml"
    path.write_bytes(case.content)
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, case.key, case.also)


def test_missing_site_file_is_named(tmp_path):
    path = tmp_path / "nowhere" / "site.toml"
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, None)


def test_site_file_that_is_a_folder_is_named(tmp_path):
    with pytest.raises(config.ConfigError) as e:
        config.load(tmp_path)
    assert_clear(str(e.value), tmp_path, None)


def test_empty_data_dir_argument_is_named():
    with pytest.raises(config.ConfigError) as e:
        config.load(None, "")
    assert "“kiosk.data_dir”" in str(e.value) and "--data-dir" in str(e.value)


def test_first_problem_wins_and_names_its_own_file(tmp_path):
    # A bad value that came from the site file is reported against the site file, not default.toml.
    path = tmp_path / "site.toml"
    path.write_text("[logging]\nbackups = 0\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert str(path) in str(e.value) and str(config.DEFAULT_FILE) not in str(e.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://bureau.example.gov.cn",
        "https://10.0.0.5:8443/",
        "http://127.0.0.1:8800",
        "http://localhost:8800",
        "http://127.8.9.1",
        "http://[::1]:8800",
    ],
)
def test_sync_goes_over_https_or_stays_on_this_machine(tmp_path, url):
    ca = tmp_path / "ca.pem"
    ca.write_text("a private CA's certificate", encoding="utf-8")
    path = write_site_file(tmp_path, f'[sync]\nurl = "{url}"\nkey = "{"ab" * 32}"\nca_file = "{ca}"\n')
    settings = config.load(path)
    assert (settings.sync.url, settings.sync.ca_file) == (url, str(ca))
