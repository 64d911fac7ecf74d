"""kiosk/doctor/bureau.py against real HTTPS servers on loopback, their certificates issued by a
private CA made here (trustme): valid, near expiry, expired, another CA's; a bureau down; one that
answers 503."""

from datetime import datetime, timedelta

import pytest
import trustme

from kiosk import config
from kiosk.doctor import bureau
from kiosk.i18n import t
from tests.bureau.conftest import free_port
from tests.kiosk.conftest import write_site_file
from tests.kiosk.doctor import bureaus

KEY = "ab" * 32


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA(organization_name="示范区老干部局 private CA")


@pytest.fixture
def serve():
    """serve(cert=None, status=200) -> the url of a bureau's /v1/health on loopback."""
    with bureaus.Bureaus() as started:
        yield started.start


def settings_for(tmp_path, url: str, ca: trustme.CA | None = None):
    ca_line = ""
    if ca is not None:
        ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        ca_line = f'ca_file = "{tmp_path / "ca.pem"}"\n'
    site = write_site_file(tmp_path, f'[sync]\nurl = "{url}"\nkey = "{KEY}"\ntimeout_s = 5.0\n{ca_line}')
    return config.load(site, tmp_path / "data")


def states(lines) -> list[tuple[str, str]]:
    return [(line.check, line.state) for line in lines]


def test_a_bureau_that_answers_with_a_certificate_good_for_a_year(tmp_path, ca, serve):
    now = datetime.now()
    url = serve(ca.issue_cert("127.0.0.1", not_after=now + timedelta(days=365)))
    lines = bureau.lines(settings_for(tmp_path, url, ca), now)
    assert states(lines) == [("bureau", "ok"), ("certificate", "ok")]
    assert lines[0].detail == t("doctor.bureau.ok", host=url.removeprefix("https://"))
    assert (now + timedelta(days=365)).strftime("%Y-%m-%d") in lines[1].detail


def test_a_certificate_that_ends_within_30_days_is_a_warning(tmp_path, ca, serve):
    now = datetime.now()
    url = serve(ca.issue_cert("127.0.0.1", not_after=now + timedelta(days=12, hours=1)))
    lines = bureau.lines(settings_for(tmp_path, url, ca), now)
    assert states(lines) == [("bureau", "ok"), ("certificate", "warn")]
    assert "还有 12 天" in lines[1].detail and lines[1].fix == t("doctor.certificate.soon_fix")


def test_an_expired_certificate_fails_with_what_to_do(tmp_path, ca, serve):
    now = datetime.now()
    url = serve(ca.issue_cert("127.0.0.1", not_before=now - timedelta(days=400), not_after=now - timedelta(days=2)))
    lines = bureau.lines(settings_for(tmp_path, url, ca), now)
    assert states(lines) == [("bureau", "ok"), ("certificate", "fail")]
    assert "expired" in lines[1].detail and lines[1].fix == t("doctor.certificate.expired_fix")


def test_a_certificate_of_another_ca_is_not_trusted(tmp_path, ca, serve):
    url = serve(trustme.CA().issue_cert("127.0.0.1"))
    lines = bureau.lines(settings_for(tmp_path, url, ca), datetime.now())
    assert states(lines) == [("bureau", "ok"), ("certificate", "fail")]
    assert lines[1].fix == t("doctor.certificate.untrusted_fix")


def test_a_bureau_that_is_down(tmp_path, ca):
    url = f"https://127.0.0.1:{free_port()}"
    (down,) = bureau.lines(settings_for(tmp_path, url, ca), datetime.now())
    assert (down.check, down.state, down.fix) == ("bureau", "fail", t("doctor.bureau.down_fix"))
    assert "127.0.0.1" in down.detail


def test_a_bureau_that_answers_503_on_this_machine_without_tls(tmp_path, serve):
    url = serve(status=503)
    lines = bureau.lines(settings_for(tmp_path, url), datetime.now())
    assert states(lines) == [("bureau", "fail"), ("certificate", "ok")]
    assert "HTTP 503" in lines[0].detail and lines[1].detail == t("doctor.certificate.plain")


def test_no_bureau_set_is_a_warning(tmp_path):
    (off,) = bureau.lines(config.load(write_site_file(tmp_path), tmp_path / "data"), datetime.now())
    assert (off.check, off.state) == ("bureau", "warn")
