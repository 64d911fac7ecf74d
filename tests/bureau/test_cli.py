"""`python -m bureau …`: the operator registers sites and kiosks and manages their keys."""

import re
import stat
import subprocess
import sys
import tomllib
from datetime import timedelta

from bureau import admin
from bureau.migrations import scripts
from bureau.models import Kiosk, Site
from bureau.store import utcnow, write

from .conftest import SITE, SITE_NAME, Client, bureau_env, cli


def refused(done, *words: str) -> None:
    """Exit status 2 and one line on stderr that says why."""
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("python -m bureau: "), done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def test_site_add_and_list(store, store_url, tmp_path):
    done = cli(store_url, "site", "add", SITE, SITE_NAME, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"site {SITE} {SITE_NAME}: member numbers AA…\n"
    assert cli(store_url, "site", "add", "UNI-002", "老年大学", cwd=tmp_path).returncode == 0
    assert [(s.code, s.name, s.prefix) for s in Site.select().order_by(Site.code)] == [
        (SITE, SITE_NAME, "AA"),
        ("UNI-002", "老年大学", "AB"),
    ]
    listed = cli(store_url, "site", "list", cwd=tmp_path)
    assert listed.stdout == f"{SITE}\t{SITE_NAME}\tAA\nUNI-002\t老年大学\tAB\n"
    refused(cli(store_url, "site", "add", SITE, "again", cwd=tmp_path), SITE, "exists")
    refused(cli(store_url, "site", "add", "bad code!", "x", cwd=tmp_path), "site code")
    assert Site.select().count() == 2


def test_each_site_gets_a_prefix_no_other_site_clashes_with(store, store_url, tmp_path):
    assert cli(store_url, "site", "add", "HD-001", "海淀", "--prefix", "HD", cwd=tmp_path).returncode == 0
    # One prefix beginning another would let one member number belong to two sites.
    for wanted in ("HD", "H", "HDX"):
        refused(cli(store_url, "site", "add", "X-002", "x", "--prefix", wanted, cwd=tmp_path), "clashes with HD")
    for wanted in ("hd", "H1", "ABCDE"):
        refused(cli(store_url, "site", "add", "X-002", "x", "--prefix", wanted, cwd=tmp_path), "1-4 capital letters")
    # Issued ones skip the demo's DM and any that clash.
    assert [admin.add_site(f"S-{i}", "站").prefix for i in range(3)] == ["AA", "AB", "AC"]
    with write():
        Site.create(code="OLD-001", name="旧站点")  # made before the bureau issued prefixes
    refused(cli(store_url, "site", "prefix", "HD-001", cwd=tmp_path), "has the prefix HD already")
    done = cli(store_url, "site", "prefix", "OLD-001", "OL", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "site OLD-001: member numbers OL…\n"
    refused(cli(store_url, "site", "prefix", "OLD-001", "OX", cwd=tmp_path), "has the prefix OL already")
    assert [s.prefix for s in Site.select().order_by(Site.id)] == ["HD", "AA", "AB", "AC", "OL"]


def test_kiosk_add_and_rotate_write_the_site_file_for_its_owner_only(store, store_url, tmp_path):
    cli(store_url, "site", "add", SITE, SITE_NAME, cwd=tmp_path)
    out = tmp_path / "site.toml"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)  # a file there before, readable by all
    done = cli(store_url, "kiosk", "add", "--site", SITE, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "key" not in done.stdout and str(out) in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    added = tomllib.loads(out.read_text(encoding="utf-8"))
    assert added["kiosk"]["id"] == "DEMO-001-K01" and re.fullmatch(r"[0-9a-f]{64}", added["sync"]["key"])
    fresh = tmp_path / "rotated.toml"
    assert cli(store_url, "kiosk", "rotate", "DEMO-001-K01", "--out", str(fresh), cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert tomllib.loads(fresh.read_text(encoding="utf-8"))["sync"]["key"] != added["sync"]["key"]


def test_kiosk_add_prints_the_kiosk_site_file(store, store_url, tmp_path):
    cli(store_url, "site", "add", SITE, SITE_NAME, cwd=tmp_path)
    first = cli(store_url, "kiosk", "add", "--site", SITE, "--name", "前台", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    settings = tomllib.loads(first.stdout)
    assert settings == {
        "site": {"code": SITE, "name": SITE_NAME},
        "kiosk": {"id": "DEMO-001-K01"},
        "staff": {"member_prefix": "AA"},  # the site's prefix, issued by site add
        "sync": {"url": "http://127.0.0.1:8800", "key": settings["sync"]["key"]},
    }
    assert re.fullmatch(r"[0-9a-f]{64}", settings["sync"]["key"])
    # --db after the command wins over the one before it.
    second = tomllib.loads(
        cli(
            str(tmp_path / "elsewhere.db"),
            "kiosk",
            "add",
            "--site",
            SITE,
            "--url",
            "https://bureau.example.gov.cn",
            "--db",
            store_url,
            cwd=tmp_path,
        ).stdout
    )
    assert second["kiosk"]["id"] == "DEMO-001-K02" and second["sync"]["url"] == "https://bureau.example.gov.cn"
    assert second["staff"]["member_prefix"] == "AAB"  # the site's second kiosk never numbers like its first
    assert second["sync"]["key"] != settings["sync"]["key"]
    kiosks = {k.kiosk_id: k for k in Kiosk.select()}
    assert sorted(kiosks) == ["DEMO-001-K01", "DEMO-001-K02"]
    one = kiosks["DEMO-001-K01"]
    assert (one.key, one.name, one.site.code, one.epoch, one.acked_seq) == (settings["sync"]["key"], "前台", SITE, 1, 0)
    assert one.revoked_at is None and one.old_key is None


def test_kiosk_add_for_an_unknown_site_is_refused(store, store_url, tmp_path):
    refused(cli(store_url, "kiosk", "add", "--site", "NOPE-9", cwd=tmp_path), "unknown site", "NOPE-9")
    assert Kiosk.select().count() == 0


def test_kiosk_list(store, store_url, tmp_path, kiosk):
    cli(store_url, "kiosk", "add", "--site", SITE, cwd=tmp_path)
    Kiosk.update(acked_seq=42, epoch=3).where(Kiosk.id == kiosk.id).execute()
    lines = cli(store_url, "kiosk", "list", cwd=tmp_path).stdout.splitlines()
    assert lines == [
        "kiosk\tsite\tepoch\tacked_seq\tlast_seen\trevoked",
        "DEMO-001-K01\tDEMO-001\t3\t42\t-\t-",
        "DEMO-001-K02\tDEMO-001\t1\t0\t-\t-",
    ]


def test_kiosk_rotate_prints_a_new_key_and_keeps_the_old_one_a_while(store, store_url, tmp_path, kiosk):
    done = cli(store_url, "kiosk", "rotate", kiosk.kiosk_id, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    settings = tomllib.loads(done.stdout)
    assert settings["kiosk"]["id"] == kiosk.kiosk_id and settings["sync"]["key"] != kiosk.key
    after = Kiosk.get(Kiosk.id == kiosk.id)
    assert (after.key, after.old_key) == (settings["sync"]["key"], kiosk.key)
    assert abs(after.old_key_until - (utcnow() + timedelta(hours=72))) < timedelta(minutes=1)
    cli(store_url, "kiosk", "rotate", kiosk.kiosk_id, "--grace-hours", "1", cwd=tmp_path)
    again = Kiosk.get(Kiosk.id == kiosk.id)
    assert again.old_key == after.key and again.key not in (after.key, kiosk.key)
    assert abs(again.old_key_until - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
    refused(cli(store_url, "kiosk", "rotate", "DEMO-001-K09", cwd=tmp_path), "unknown kiosk")


def test_kiosk_revoke_refuses_every_later_request(store_url, tmp_path, server, kiosk):
    with Client(server.url, kiosk.kiosk_id, kiosk.key) as client:
        assert client.state().status_code == 200
        done = cli(store_url, "kiosk", "revoke", kiosk.kiosk_id, cwd=tmp_path)
        assert done.returncode == 0 and done.stdout.startswith(f"kiosk {kiosk.kiosk_id} revoked at ")
        reply = client.state()
        assert reply.status_code == 401 and reply.json()["error"] == "revoked"
    revoked_at = Kiosk.get(Kiosk.id == kiosk.id).revoked_at
    assert abs(revoked_at - utcnow()) < timedelta(minutes=1)
    assert cli(store_url, "kiosk", "list", cwd=tmp_path).stdout.splitlines()[1].endswith(" UTC")
    refused(cli(store_url, "kiosk", "rotate", kiosk.kiosk_id, cwd=tmp_path), "revoked")
    refused(cli(store_url, "kiosk", "revoke", "DEMO-001-K09", cwd=tmp_path), "unknown kiosk")
    assert Kiosk.get(Kiosk.id == kiosk.id).revoked_at == revoked_at


def test_a_store_that_cannot_be_opened_is_one_line_on_stderr(tmp_path):
    refused(cli("mysql://nobody@127.0.0.1/x", "site", "list", cwd=tmp_path), "mysql")
    refused(cli(f"sqlite:///{tmp_path}/no/such/folder/bureau.db", "site", "list", cwd=tmp_path))


def test_kiosk_add_with_the_bureaus_keys_gives_everything_setup_needs(store, store_url, tmp_path):
    cli(store_url, "site", "add", SITE, SITE_NAME, cwd=tmp_path)
    keys = tmp_path / "keys.toml"
    keys.write_text(f'[security]\nid_hash_key = "{"1f" * 32}"\ncard_key = "{"2e" * 40}"\n', encoding="utf-8")
    done = cli(store_url, "kiosk", "add", "--site", SITE, "--keys", str(keys), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert tomllib.loads(done.stdout)["security"] == {"id_hash_key": "1f" * 32, "card_key": "2e" * 40}
    keys.write_text('[security]\nid_hash_key = "short"\n', encoding="utf-8")
    refused(cli(store_url, "kiosk", "add", "--site", SITE, "--keys", str(keys), cwd=tmp_path), "id_hash_key", "hex")
    assert Kiosk.select().count() == 1  # a refused key file makes no kiosk


def test_migrate_opens_the_store_yinling_bureau_db_names_and_prints_its_version(tmp_path):
    # As the service's ExecStartPre runs it: no --db, the store named in its environment file.
    newest = scripts("sqlite")[-1][0]
    store = tmp_path / "service" / "bureau.db"
    store.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "bureau", "migrate"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**bureau_env(), "YINLING_BUREAU_DB": f"sqlite:///{store}"},
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"schema version {newest}\n"), done.stderr
    assert store.exists() and not (tmp_path / "bureau.db").exists()
    # --db still wins over the environment.
    again = cli(f"sqlite:///{tmp_path / 'other.db'}", "migrate", cwd=tmp_path)
    assert again.stdout == f"schema version {newest}\n" and (tmp_path / "other.db").exists()


def test_user_roles_and_sites(store, store_url, tmp_path):
    """`user add --role --site --name` and `user role`: a staff account belongs to one site, the
    bureau's accounts to none; each change is in the audit trail as the operator's."""
    from bureau.models import AuditEntry, BureauUser

    admin.add_site(SITE, SITE_NAME)

    def user(*args: str, password: str = "kiosk-lantern-2026") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bureau", "--db", store_url, "user", *args],
            input=password + "\n",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=bureau_env(),
            timeout=60,
        )

    done = user("add", "listaff", "--role", "staff", "--site", SITE, "--name", "李老师", "--password-stdin")
    assert (done.returncode, done.stdout) == (0, f"user listaff added (staff of {SITE})\n")
    refused(user("add", "nosite", "--role", "staff", "--password-stdin"), "one site")
    refused(user("add", "boss", "--role", "admin", "--site", SITE, "--password-stdin"), "one site")
    refused(user("add", "far", "--role", "staff", "--site", "NOPE-9", "--password-stdin"), "NOPE-9")
    assert user("role", "listaff", "viewer").stdout == "user listaff is now viewer\n"
    assert user("role", "listaff", "staff", "--site", SITE).stdout == f"user listaff is now staff of {SITE}\n"
    listed = cli(store_url, "user", "list", cwd=tmp_path).stdout.splitlines()
    assert listed[1].split("\t")[:4] == ["listaff", "staff", SITE, "no"]
    made = BureauUser.get(BureauUser.username == "listaff")
    assert (made.full_name, made.site.code) == ("李老师", SITE)
    trail = list(AuditEntry.select().order_by(AuditEntry.id))
    assert [(e.action, e.target) for e in trail] == [("user.add", "listaff"), ("user.role", "listaff")] + [
        ("user.role", "listaff")
    ]
    assert all(e.username.startswith("cli:") for e in trail)
