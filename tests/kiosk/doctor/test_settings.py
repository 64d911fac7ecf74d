"""kiosk/doctor/settings.py: a real site, the demo, a broken file, a file others can read."""

from kiosk.doctor import settings as doctor_settings
from kiosk.i18n import t
from tests.kiosk.conftest import write_site_file


def test_a_real_site_file(tmp_path):
    site = write_site_file(tmp_path)
    site.chmod(0o640)
    loaded, found = doctor_settings.load(str(site), str(tmp_path / "data"))
    assert loaded is not None and found.state == "ok" and loaded.site.code in found.detail


def test_a_broken_site_file_fails_with_the_settings_message(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[kiosk\nid = 1\n", encoding="utf-8")
    loaded, found = doctor_settings.load(str(site), None)
    assert loaded is None and found.state == "fail" and str(site) in found.detail
    assert found.fix == t("doctor.settings.broken_fix")


def test_demo_keys_on_a_real_site_fail(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[site]\ndemo_data = ""\n[kiosk]\nkiosk_mode = true\n', encoding="utf-8")
    loaded, found = doctor_settings.load(str(site), None)
    assert loaded is None and found.state == "fail" and "security.id_hash_key" in found.detail


def test_the_demo_and_a_file_others_can_read_are_warnings(tmp_path):
    _, demo = doctor_settings.load(None, str(tmp_path / "data"))
    assert demo.state == "warn" and demo.detail == t("doctor.settings.demo")
    site = write_site_file(tmp_path)
    site.chmod(0o644)
    _, readable = doctor_settings.load(str(site), None)
    assert readable.state == "warn" and readable.fix == t("doctor.settings.readable_fix", file=site)
