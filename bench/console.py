"""The management console on the 10-year data (issue 21): page times and save → visible on a kiosk.

pages    `python -m bureau serve` (real uvicorn, on loopback, as production) on a PostgreSQL store
         holding bench/console_data.py's dataset (40 sites, 50,000 members, ~2,000,000 sign-ins).
         Signed in as an admin, a viewer and a centre's staff, it requests every page of the
         console's menu (bureau.console.base.NAV) that the account sees, and the detail pages:
         one activity, one member, one course (the first link of each list page), the year's
         chart for every site and for a district, and each page's .xlsx downloads (the links to
         .xlsx on the pages).  Each WARMUPS times untimed, then REPEAT times: p50/p95 of the server
         time (the `Server-Timing: app;dur=` header bureau/timing.py adds) and of the client's wall
         time beside it.  Target: p95 ≤ 300 ms server time a page; the year's chart of every site
         ≤ 1 s; an .xlsx download ≤ 3 s.  A page that answers 404 has not landed yet: reported "missing", not a failure.
save     a real kiosk (its own sync loop, kiosk/sync/worker.py, pull interval sync.pull_every_s,
         20 s by default: each cycle asks GET /v1/heads and pulls what changed) registered at a
         site syncs with that bureau; the centre's staff save activities through the console's
         form (POST /web/activities/new with the session's CSRF token, as a browser) at random
         moments over a few pull intervals, and the bench polls the kiosk's kiosk.db (read-only)
         until each appears: p50/p95/max seconds.  Target p95 ≤ 60 s.  What sets it: the pull
         interval (a save waits for the kiosk's next pull, uniformly up to the interval) plus a
         pull's own duration, printed beside it.  Until the form lands the activity is published
         by bureau.publish (the CLI's path) instead, and the figure says so.

The dataset is built once (several minutes), dumped with pg_dump -Fc under $YINLING_BENCH_DIR
(default: yinling-bench in the temporary folder) keyed by the generator's source, and restored
with pg_restore on later runs; both times are printed.

    python -m bench console                 as part of the benchmarks
    python -m bench.console [--tiny] [--repeat N] [--saves N] [--pull-every S] [--no-cache] [--only SUBSTRING]
"""

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench import Figure, console_data, percentile

PAGE_TARGET_MS = 300.0
CHART_TARGET_MS = 1000.0
# An .xlsx is a download of a whole table (the audit trail's 20,000 entries, say), not a page: it
# is held to what a staff member waits for a file, not to a page's 300 ms.
DOWNLOAD_TARGET_MS = 3000.0
SAVE_TARGET_S = 60.0
REPEAT, WARMUPS, SAVES = 20, 2, 20
SAVE_ROUNDS = 3  # the saves are spread over this many pull intervals
CHART_YEAR = console_data.LAST_DAY.year - 1  # a whole year of the data
# The chart pages' queries (adapt to bureau/console/charts.py's parameters).
CHART_ALL = "/web/charts?year={year}"
CHART_DISTRICT = "/web/charts?year={year}&region={region}"
ACTIVITY_FORM = "/web/activities/new"
MEMBER_SEARCH = "/web/members?q=%E7%8E%8B"  # 王: every site has some
# Pages not in the menu, timed too with their .xlsx links: (name, the page (or the name of a page
# found before) whose first link of the pattern it is).  A member search with results (the menu's
# search page is empty) is one of them.
DETAILS = (
    ("activity", "/web/activities", r"/web/activities/[0-9a-f]{32}"),
    ("notice", "/web/notices", r"/web/notices/[0-9a-f]{32}"),
    ("term", "/web/classes", r"/web/classes/terms/\d+"),
    ("course", "term", r"/web/classes/courses/[^/?]+"),
    ("timetable", "/web/classes", r"/web/classes/terms/\d+/timetable"),
    ("member record", MEMBER_SEARCH, r"/web/members/[^/?]+"),
    ("audit entry", "/web/audit", r"/web/audit/\d+"),
    ("account", "/web/accounts", r"/web/accounts/[^/?]+"),
)


@dataclass
class Timed:
    """One page as one account: its server and wall times (ms), or why it has none."""

    name: str
    account: str
    path: str
    status: int = 0
    server_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    target_ms: float = PAGE_TARGET_MS

    @property
    def missing(self) -> bool:
        return self.status == 404

    @property
    def ok(self) -> bool | None:
        if self.missing:
            return None
        if self.status != 200 or not self.server_ms:
            return False
        return percentile(self.server_ms, 95) <= self.target_ms

    def summary(self) -> dict:
        out: dict = {"page": self.name, "account": self.account, "path": self.path, "status": self.status}
        if self.server_ms:
            out |= {
                "server_p50_ms": round(percentile(self.server_ms, 50), 1),
                "server_p95_ms": round(percentile(self.server_ms, 95), 1),
                "wall_p50_ms": round(percentile(self.wall_ms, 50), 1),
                "wall_p95_ms": round(percentile(self.wall_ms, 95), 1),
                "target_ms": self.target_ms,
            }
        out["verdict"] = {True: "PASS", False: "FAIL", None: "missing"}[self.ok]
        return out


@dataclass
class Saved:
    seconds: list[float]  # save → visible on the kiosk, each save
    via: str  # "console form" or "bureau.publish (the form has not landed)"
    pull_every_s: float
    cycles_s: list[float]  # the kiosk's sync cycles' durations meanwhile


# --- the store ----------------------------------------------------------------------------------------


def cache_dir() -> Path:
    return Path(os.environ.get("YINLING_BENCH_DIR") or Path(tempfile.gettempdir()) / "yinling-bench")


def prepared(cluster, size: console_data.Size, use_cache: bool = True) -> tuple[str, console_data.Built]:
    """A database of `cluster` holding the dataset: restored from the cache's dump, else built
    (and dumped for the next run).  Sets the sealing secret its kiosk keys were sealed with."""
    from bureau import sealing

    source = Path(console_data.__file__).read_bytes() + repr(size).encode()
    stem = cache_dir() / f"console-{hashlib.sha256(source).hexdigest()[:16]}"
    dump, meta = stem.with_suffix(".dump"), stem.with_suffix(".json")
    cluster.sql('CREATE DATABASE "console" TEMPLATE template0')
    url = cluster.url("console")
    if use_cache and dump.exists() and meta.exists():
        saved = json.loads(meta.read_text())
        os.environ[sealing.ENV] = saved.pop("secret")
        started = time.perf_counter()
        subprocess.run(["pg_restore", "--no-owner", "--jobs=2", f"--dbname={url}", str(dump)], check=True)
        analysed(cluster)
        print(
            f"dataset restored from {dump} in {time.perf_counter() - started:.1f} s (built in {saved['seconds']:.0f} s)"
        )
        return url, console_data.Built(**saved)
    secret = os.environ.setdefault(sealing.ENV, secrets.token_hex(32))
    print(f"building the dataset ({size.members:,} members, ~{size.signins:,} sign-ins, {size.sites} sites) …")
    built = console_data.build(url, size)
    _count_days(url)
    print(f"dataset built in {built.seconds:.0f} s: {built.counts}")
    if use_cache:
        stem.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={url}"], check=True)
        meta.write_text(json.dumps({**asdict(built), "secret": secret}, ensure_ascii=False))
        print(f"dumped to {dump} ({dump.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return url, built


def analysed(cluster) -> None:
    """VACUUM ANALYZE the restored database, as autovacuum soon does to a production store: without
    it the first minutes' plans have no statistics and index-only scans read the heap."""
    connection = cluster.connect("console")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def _count_days(url: str) -> None:
    """The sign-ins per site and day (bureau/daily.py), which the rules keep: the dataset's COPY
    went around them.  (A dump restored from before migration 0008 gets them from 0008.)"""
    from bureau import daily
    from bureau.schema import open_store
    from bureau.store import close_store, write

    open_store(url)
    try:
        with write():
            daily.recount()
    finally:
        close_store()


# --- signing in and timing pages ----------------------------------------------------------------------


def signed_in(url: str, username: str) -> httpx.Client:
    """A browser-like client signed in as `username` (its session cookie kept)."""
    client = httpx.Client(base_url=url, timeout=120, follow_redirects=False)
    reply = client.post(
        "/web/login",
        data={"username": username, "password": console_data.PASSWORD},
        headers={"Origin": url},
    )
    if reply.status_code != 303 or "bureau_session" not in client.cookies:
        raise RuntimeError(f"could not sign in as {username}: {reply.status_code} {reply.text[:300]}")
    return client


def server_ms(reply: httpx.Response) -> float | None:
    """The app's own time from its Server-Timing header (app;dur=12.3)."""
    found = re.search(r"\bapp;dur=([0-9.]+)", reply.headers.get("server-timing", ""))
    return float(found.group(1)) if found else None


def timed(client: httpx.Client, page: Timed, repeat: int, warmups: int) -> Timed:
    """`page` requested warmups + repeat times; a 404 ends it at once (not landed yet)."""
    for n in range(warmups + repeat):
        started = time.perf_counter()
        reply = client.get(page.path)
        wall = (time.perf_counter() - started) * 1000
        page.status = reply.status_code
        if reply.status_code != 200:
            break
        app = server_ms(reply)
        if app is None:
            raise RuntimeError(f"{page.path} has no Server-Timing header")
        if n >= warmups:
            page.server_ms.append(app)
            page.wall_ms.append(wall)
    return page


def links(client: httpx.Client, path: str) -> list[str]:
    """The hrefs of /web paths on the page at `path` (none when it is not there)."""
    reply = client.get(path)
    if reply.status_code != 200:
        return []
    return [unescape(h) for h in re.findall(r'href="(/web/[^"]*)"', reply.text)]


def pages_of(client: httpx.Client, role: str, built: console_data.Built, region: int | None) -> list[tuple[str, str]]:
    """(name, path) of every page this account is to time: the menu's, the details (the first
    link into each list), the charts, and the .xlsx links of them all."""
    from bureau.console.base import NAV

    pages = [(label, path) for path, label, roles in NAV if role in roles]
    pages.append(("member search", MEMBER_SEARCH))
    found: dict[str, str] = {}
    for name, listing, pattern in DETAILS:
        on = found.get(listing, listing)
        if on.startswith("/web/accounts") and role != "admin":
            continue
        hits = [h for h in links(client, on) if re.fullmatch(pattern, urlsplit(h).path) and not h.endswith("/new")]
        if hits:
            found[name] = hits[0]
            pages.append((name, hits[0]))
    if role != "staff":
        pages.append((f"chart {CHART_YEAR}, every site", CHART_ALL.format(year=CHART_YEAR)))
        if region is not None:
            pages.append((f"chart {CHART_YEAR}, a district", CHART_DISTRICT.format(year=CHART_YEAR, region=region)))
    exports = []
    for path in [p for _, p in pages]:
        exports += [h for h in links(client, path) if ".xlsx" in h or "format=xlsx" in h]
    pages += [(f"export {urlsplit(h).path.rsplit('/', 1)[-1]}", h) for h in dict.fromkeys(exports)]
    return pages


def measure_pages(
    url: str, built: console_data.Built, repeat: int, warmups: int, region: int | None, only: list[str] = ()
) -> list[Timed]:
    """Every page of every account; with `only`, those whose name or path holds one of its strings."""
    accounts = (("admin", built.admin), ("viewer", built.viewer), ("staff", built.staff))
    out = []
    for role, username in accounts:
        with closing(signed_in(url, username)) as client:
            for name, path in pages_of(client, role, built, region):
                if only and not any(o in name or o in path for o in only):
                    continue
                target = target_of(name)
                out.append(timed(client, Timed(name, username, path, target_ms=target), repeat, warmups))
                print(_row(out[-1]), flush=True)
    return out


def target_of(name: str) -> float:
    if name.startswith("export"):
        return DOWNLOAD_TARGET_MS
    return CHART_TARGET_MS if name.startswith("chart") and "every site" in name else PAGE_TARGET_MS


def _row(t: Timed) -> str:
    s = t.summary()
    if "server_p95_ms" not in s:
        what = "missing (404: not landed yet)" if t.missing else f"HTTP {t.status}"
        return f"  {t.name[:34]:<34} {t.account[:14]:<14} {what}"
    return (
        f"  {t.name[:34]:<34} {t.account[:14]:<14} "
        f"server p50 {s['server_p50_ms']:7.1f} p95 {s['server_p95_ms']:7.1f} ms"
        f"   wall p50 {s['wall_p50_ms']:7.1f} p95 {s['wall_p95_ms']:7.1f} ms   [≤ {t.target_ms:g} ms: {s['verdict']}]"
    )


# --- save → visible on a kiosk -------------------------------------------------------------------------


@contextmanager
def kiosk_running(store_url: str, bureau_url: str, site: str, folder: Path, pull_every_s: float) -> Iterator["Kiosk"]:
    """A kiosk of `site` registered at the bureau, its sync loop in a process of its own (this
    module's `kiosk` command), after its first sync cycle."""
    from bureau import admin
    from bureau.schema import open_store
    from bureau.store import close_store
    from tools.checkout import ROOT
    from tools.pgcluster import stop_process

    open_store(store_url)
    try:
        printed = admin.site_file(admin.add_kiosk(site, "bench"), bureau_url)
    finally:
        close_store()
    site_file = folder / "kiosk.toml"
    site_file.write_text(printed.replace("[sync]\n", f"[sync]\npull_every_s = {pull_every_s:g}\n"), encoding="utf-8")
    data = folder / "kiosk-data"
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.console", "kiosk", str(site_file), str(data)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    kiosk = Kiosk(data / "kiosk.db", process)
    try:
        kiosk.follow()
        kiosk.synced.wait(120)
        if not kiosk.cycles:
            raise RuntimeError("the kiosk did not finish a sync cycle within 120 s")
        yield kiosk
    finally:
        stop_process(process)


@dataclass
class Kiosk:
    db: Path
    process: subprocess.Popen
    cycles: list[float] = field(default_factory=list)  # each sync cycle's seconds
    synced: threading.Event = field(default_factory=threading.Event)

    def follow(self) -> None:
        """Read the kiosk's `cycle <seconds>` lines in a thread."""

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if line.startswith("cycle "):
                    self.cycles.append(float(line.split()[1]))
                    self.synced.set()

        threading.Thread(target=read, daemon=True).start()

    def titles(self, wanted: set[str]) -> set[str]:
        """Which of `wanted` the kiosk's database holds as activities (read-only)."""
        if not wanted or not self.db.exists():
            return set()
        connection = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            marks = ",".join("?" * len(wanted))
            return {
                r[0] for r in connection.execute(f"SELECT title FROM activity WHERE title IN ({marks})", list(wanted))
            }
        finally:
            connection.close()


def save_form(client: httpx.Client, url: str, site: str, title: str) -> bool:
    """Save an activity through the console's form as a browser does; False when the form is not there."""
    form = client.get(ACTIVITY_FORM)
    if form.status_code == 404:
        return False
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        raise RuntimeError(f"{ACTIVITY_FORM}: {form.status_code}, no csrf field")
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
    fields = {
        "csrf": token.group(1),
        "title": title,
        "category": "activity",
        "site": site,
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "50",
    }
    reply = client.post(ACTIVITY_FORM, data=fields, headers={"Origin": url})
    if reply.status_code not in (200, 303):
        raise RuntimeError(f"saving an activity: {reply.status_code} {reply.text[:300]}")
    return True


def save_cli(store_url: str, site: str, title: str) -> None:
    from bureau import publish
    from bureau.schema import open_store
    from bureau.store import close_store

    start = datetime.now().replace(second=0, microsecond=0) + timedelta(days=3)
    open_store(store_url)
    try:
        publish.publish_activity(
            title, start.isoformat(), (start + timedelta(hours=2)).isoformat(), site=site, capacity=50
        )
    finally:
        close_store()


def measure_saves(
    store_url: str,
    url: str,
    built: console_data.Built,
    folder: Path,
    saves: int,
    pull_every_s: float,
    rounds: int = SAVE_ROUNDS,
) -> Saved:
    """`saves` activities saved at random moments over `rounds` pull intervals (0: at once, one
    after another), each timed until the kiosk's database holds it."""
    rng = random.Random(console_data.SEED)
    site = built.staff_site
    with (
        kiosk_running(store_url, url, site, folder, pull_every_s) as kiosk,
        closing(signed_in(url, built.staff)) as client,
    ):
        first_cycles = len(kiosk.cycles)
        kiosk.synced.clear()
        window = pull_every_s * rounds
        moments = sorted(rng.uniform(0, window) for _ in range(saves))
        began, pending, seconds, via = time.monotonic(), {}, [], "console form"
        run = f"{time.time():.0f}"
        for n, moment in enumerate(moments):
            _poll(kiosk, pending, seconds, until=began + moment)
            title = f"测速活动{run}-{n:02d}"
            saved_at = time.monotonic()
            if not save_form(client, url, site, title):
                via = "bureau.publish (the console's form has not landed)"
                save_cli(store_url, site, title)
            pending[title] = saved_at
        _poll(kiosk, pending, seconds, until=time.monotonic() + 3 * pull_every_s + 60, done=True)
        if pending:
            raise RuntimeError(f"{len(pending)} saved activities never reached the kiosk")
        kiosk.synced.wait(30)  # the last cycle's duration: printed just after its pull applied
        return Saved(seconds, via, pull_every_s, kiosk.cycles[first_cycles:])


def _poll(kiosk: Kiosk, pending: dict[str, float], seconds: list[float], until: float, done: bool = False) -> None:
    """Mark what the kiosk shows of `pending` until `until` (with `done`, sooner when nothing is pending)."""
    while True:
        now = time.monotonic()
        for title in kiosk.titles(set(pending)):
            seconds.append(now - pending.pop(title))
        if now >= until or (done and not pending):
            return
        if kiosk.process.poll() is not None:
            raise RuntimeError(f"the kiosk exited with {kiosk.process.returncode}")
        time.sleep(min(0.05, until - now))


def kiosk_main(site_file: str, data_dir: str) -> int:
    """The kiosk's own sync loop (no screen), printing `cycle <seconds>` after each cycle."""
    from kiosk import config
    from kiosk.store.db import open_db
    from kiosk.sync.worker import SyncWorker

    class Reporting(SyncWorker):
        def _cycle(self, bureau) -> None:
            started = time.perf_counter()
            super()._cycle(bureau)
            print(f"cycle {time.perf_counter() - started:.3f}", flush=True)

    settings = config.load(site_file, data_dir)
    open_db(settings.kiosk.data_dir)
    worker = Reporting(settings)
    worker.start()
    worker.join()
    return 0


# --- figures -------------------------------------------------------------------------------------------


def figures(pages: list[Timed], saved: Saved | None) -> list[Figure]:
    out = []
    for t in pages:
        s = t.summary()
        if t.missing:
            value = "missing (404: not landed yet)"
        elif "server_p95_ms" in s:
            value = (
                f"server p50 {s['server_p50_ms']:.0f} / p95 {s['server_p95_ms']:.0f} ms, "
                f"wall p95 {s['wall_p95_ms']:.0f} ms"
            )
        else:
            value = f"HTTP {t.status}"
        out.append(Figure(f"console {t.name} ({t.account})", value, f"p95 ≤ {t.target_ms:g} ms", t.ok))
    if saved is not None:
        p95 = percentile(saved.seconds, 95)
        cycle = f"{percentile(saved.cycles_s, 50):.2f} s" if saved.cycles_s else "n/a"
        value = (
            f"p50 {percentile(saved.seconds, 50):.1f} s, p95 {p95:.1f} s, max {max(saved.seconds):.1f} s over "
            f"{len(saved.seconds)} saves via {saved.via}; set by the pull interval {saved.pull_every_s:g} s "
            f"+ a sync cycle (p50 {cycle})"
        )
        out.append(
            Figure("console save → visible on a kiosk", value, f"p95 ≤ {SAVE_TARGET_S:g} s", p95 <= SAVE_TARGET_S)
        )
    return out


def district_region(store_url: str) -> int | None:
    from bureau.models import Region
    from bureau.schema import open_store
    from bureau.store import close_store

    open_store(store_url)
    try:
        found = Region.select().where(Region.level == "district").order_by(Region.id).first()
        return found.id if found else None
    finally:
        close_store()


def measure(
    size: console_data.Size = console_data.FULL,
    repeat: int = REPEAT,
    warmups: int = WARMUPS,
    saves: int = SAVES,
    pull_every_s: float | None = None,
    use_cache: bool = True,
    save_rounds: int = SAVE_ROUNDS,
    only: list[str] = (),
) -> tuple[list[Timed], Saved | None, list[Figure]]:
    """Both parts on a private PostgreSQL cluster (fsync on): the pages' times, the saves, the figures."""
    from bench.sync import serving
    from kiosk import config
    from tools import pgcluster

    every = pull_every_s or config.load().sync.pull_every_s
    with tempfile.TemporaryDirectory(prefix="yinling-console-") as tmp, pgcluster.cluster(fsync=True) as cluster:
        store_url, built = prepared(cluster, size, use_cache)
        region = district_region(store_url)
        with serving(store_url, Path(tmp)) as bureau:
            print(f"pages: {repeat} times each after {warmups} warm-ups")
            pages = measure_pages(bureau.url, built, repeat, warmups, region, only)
            saved = None
            if saves:
                print(f"save → visible: {saves} saves over {save_rounds} pull intervals of {every:g} s …", flush=True)
                saved = measure_saves(store_url, bureau.url, built, Path(tmp), saves, every, save_rounds)
    found = figures(pages, saved)
    print_report(pages, saved, found)
    return pages, saved, found


def print_report(pages: list[Timed], saved: Saved | None, found: list[Figure]) -> None:
    width = max(len(f.name) for f in found)
    print("\nconsole")
    for f in found:
        print(f"  {f.name:<{width}}  {f.value}  [target {f.target}: {f.verdict() if f.ok is not None else 'missing'}]")
    load = os.getloadavg()
    print(f"  {os.cpu_count()} CPU cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1/5/15 min)")
    line = {
        "pages": [t.summary() for t in pages],
        "save_visible": None
        if saved is None
        else {
            "seconds": [round(s, 2) for s in saved.seconds],
            "p50_s": round(percentile(saved.seconds, 50), 2),
            "p95_s": round(percentile(saved.seconds, 95), 2),
            "max_s": round(max(saved.seconds), 2),
            "via": saved.via,
            "pull_every_s": saved.pull_every_s,
            "cycles_s": [round(s, 3) for s in saved.cycles_s],
        },
    }
    print("console-bench " + json.dumps(line, ensure_ascii=False), flush=True)


def run() -> list[Figure]:
    return measure()[2]


def main(argv: list[str]) -> int:
    if argv[:1] == ["kiosk"]:
        return kiosk_main(argv[1], argv[2])
    p = argparse.ArgumentParser(prog="python -m bench.console")
    p.add_argument("--tiny", action="store_true", help="a small dataset (6 sites, 400 members)")
    p.add_argument("--repeat", type=int, default=REPEAT)
    p.add_argument("--warmups", type=int, default=WARMUPS)
    p.add_argument("--saves", type=int, default=SAVES)
    p.add_argument("--pull-every", type=float, help="the kiosk's sync.pull_every_s (default: config/default.toml's)")
    p.add_argument("--no-cache", action="store_true", help="build the dataset afresh, dump nothing")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SUBSTRING",
        help="time only the pages whose name or path holds it (repeatable; e.g. --only /web/charts --only /web/sites)",
    )
    args = p.parse_args(argv)
    size = console_data.TINY if args.tiny else console_data.FULL
    found = measure(size, args.repeat, args.warmups, args.saves, args.pull_every, not args.no_cache, only=args.only)[2]
    return 0 if all(f.ok is not False for f in found) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
