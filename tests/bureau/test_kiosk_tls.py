"""The kiosk syncs with a bureau behind TLS (docs/sync-protocol.md §3.5), on both stores: `bureau
serve` on loopback with a TLS-terminating proxy in front of it, its certificate issued by a private
CA made here.  `python main.py sync --once` goes through with sync.ca_file naming that CA, and is
refused — nothing sent, nothing marked sent — without it, or with another CA's certificate."""

import ssl
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import trustme

from bureau.models import Event
from kiosk.store.db import db as kiosk_db
from kiosk.store.db import open_db
from kiosk.sync.push import backlog
from tests.kiosk.conftest import write_site_file
from tools.checkout import run_kiosk

from .faults import PASS, Fault, Proxy, check_i1, write_facts

NOW = datetime(2026, 11, 21, 13, 0)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA(organization_name="示范区老干部局 private CA")


@pytest.fixture
def tls_bureau(server, ca):
    """`bureau serve` (plain HTTP on 127.0.0.1) behind a TLS proxy whose certificate `ca` issued."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    proxy = Proxy(int(server.url.rsplit(":", 1)[1]), lambda line, size: Fault(PASS), tls=context)
    yield proxy
    proxy.close()


def kiosk_at(folder: Path, kiosk, url: str, ca_file: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ca_line = f'ca_file = "{ca_file}"\n' if ca_file else ""
    return write_site_file(
        folder, f'[kiosk]\nid = "{kiosk.kiosk_id}"\n[sync]\nurl = "{url}"\nkey = "{kiosk.key}"\n{ca_line}', "kiosk.toml"
    )


def pending(data: Path) -> int:
    with kiosk_db_bound(data):
        return backlog()


def sync_once(site_file: Path, data: Path):
    return run_kiosk("--config", site_file, "--data-dir", data, "sync", "--once")


@contextmanager
def kiosk_db_bound(data: Path):
    """This process binds the kiosk's kiosk.db meanwhile (to write facts, to count its backlog)."""
    open_db(data)
    try:
        yield
    finally:
        kiosk_db.close()


def test_the_kiosk_syncs_over_https_with_its_private_ca_and_refuses_without_it(tls_bureau, ca, kiosk, tmp_path):
    ca_file = tmp_path / "bureau-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    data = tmp_path / "kiosk-data"

    public_cas_only = kiosk_at(tmp_path / "no-ca", kiosk, tls_bureau.url)
    with kiosk_db_bound(data):
        facts = write_facts(30, NOW)
    refused = sync_once(public_cas_only, data)
    assert refused.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr
    assert Event.select().count() == 0 and pending(data) == 30

    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    refused = sync_once(kiosk_at(tmp_path / "other-ca", kiosk, tls_bureau.url, other_ca), data)
    assert refused.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr
    assert Event.select().count() == 0 and pending(data) == 30

    private_ca = kiosk_at(tmp_path / "private-ca", kiosk, tls_bureau.url, ca_file)
    done = sync_once(private_ca, data)
    assert done.returncode == 0, done.stdout + done.stderr
    check_i1(facts, kiosk.kiosk_id)
    assert Event.select().count() == 30 and pending(data) == 0
    assert tls_bureau.counts[PASS] > 0  # it all went through the TLS proxy
