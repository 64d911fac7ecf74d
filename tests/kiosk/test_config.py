"""Settings: defaults, the site overlay, and one clear message naming the key and the file."""

import re
import tomllib
from pathlib import Path

import pytest

from kiosk import config
from tests.kiosk.bad_configs import CASES
from tests.kiosk.builders import CARD_KEY, ID_HASH_KEY, MEMBER_PREFIX, SITE_KEYS
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
    s = config.load(write_site_file(tmp_path))
    assert s.site.demo_data == "" and s.kiosk.kiosk_mode and not s.devices.keyboard_wedge.accept_typed


@pytest.mark.parametrize("kept", ["security.id_hash_key", "security.card_key"])
def test_a_real_site_on_the_public_demo_keys_is_refused(tmp_path, kept):
    # A site file that turns the demo off but leaves one key at default.toml's public value.
    section, key = kept.split(".")
    own = {"id_hash_key": ID_HASH_KEY, "card_key": CARD_KEY}
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


def with_key(path: Path, name: str, value: str) -> Path:
    """The site file at `path` with its key `name` set to `value`."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf'^{name} = ".*"$', f'{name} = "{value}"', text, flags=re.M), encoding="utf-8")
    return path


DEMO = tomllib.loads(config.DEFAULT_FILE.read_text(encoding="utf-8"))["security"]


@pytest.mark.parametrize(
    "key, value",
    [
        ("security.id_hash_key", DEMO["id_hash_key"]),  # default.toml copied into the site file
        ("security.card_key", DEMO["card_key"].upper()),
        ("security.card_key", DEMO["id_hash_key"]),  # the other demo key is public too
    ],
)
def test_a_real_site_that_restates_a_demo_key_is_refused(tmp_path, key, value):
    name = key.split(".")[1]
    path = with_key(write_site_file(tmp_path), name, value)
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, key, ("示范密钥",))


@pytest.mark.parametrize(
    "value",
    [
        "ab" * 32,  # one byte over and over
        "0123456789abcdef" * 4,  # a pattern: 8 different bytes
        "我们的签到机密钥是很长的一句话不是随机数".encode().hex(),  # text, however long
        b"correct horse battery staple, our kiosk key!".hex(),
    ],
)
@pytest.mark.parametrize("key", ["security.id_hash_key", "security.card_key"])
def test_a_real_site_on_a_key_no_random_generator_made_is_refused(tmp_path, key, value):
    path = with_key(write_site_file(tmp_path), key.split(".")[1], value)
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, key, ("随机",))


def test_the_same_keys_serve_a_demo_site(tmp_path):
    # The checks are a real site's: a demo may run on anything default.toml accepts.
    path = tmp_path / "demo.toml"
    path.write_text(f'[security]\nid_hash_key = "{"ab" * 32}"\n', encoding="utf-8")
    assert config.load(path).security.id_hash_key == "ab" * 32


@pytest.mark.parametrize(
    "key, line, word",
    [
        ("kiosk.kiosk_mode", "kiosk_mode = false", "true"),
        ("devices.keyboard_wedge.accept_typed", "accept_typed = true", "false"),
    ],
)
def test_a_real_site_outside_kiosk_mode_or_taking_typed_cards_is_refused(tmp_path, key, line, word):
    path = write_site_file(tmp_path)
    name = key.rsplit(".", 1)[1]
    path.write_text(path.read_text(encoding="utf-8").replace(f"{name} = {word}", line), encoding="utf-8")
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, key, (word,))


@pytest.mark.parametrize("key", ["kiosk.kiosk_mode", "devices.keyboard_wedge.accept_typed"])
def test_a_real_site_that_leaves_kiosk_mode_at_the_demo_default_is_refused(tmp_path, key):
    path = write_site_file(tmp_path)
    name = key.rsplit(".", 1)[1]
    text = "\n".join(x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith(name))
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as e:
        config.load(path)
    assert_clear(str(e.value), path, key)


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
