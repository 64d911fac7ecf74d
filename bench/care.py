"""The care lists (bureau/care/lists.py) on a bureau of 50,000 members (issue 22): every list's time.

bench/console_data.py's dataset (40 sites, 50,000 members, ~1.9 M sign-ins; restored from its
pg_dump cache under $YINLING_BENCH_DIR as bench/console.py does) on a private PostgreSQL (fsync on),
with, on top, deterministically seeded: a situation for ~15 % of the members (birth dates from
their birth year, 离休/退休, party members, lives alone, hardship, some in hospital or back from
it) and a year of visits and calls to them.  Then, in this process on the store, REPEAT times
after WARMUPS: each list of the busiest site (what its staff's tab, and an admin's drill-down, ask
for) with its rows filled in; the site's tab counts; and for an admin the every-site overview
(counts per site and list) and the overview page's totals.  Target: p95 ≤ 300 ms each.

    python -m bench care
    python -m bench.care [--repeat N] [--no-cache]
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from bench import Figure, console_data, percentile

TARGET_MS = 300.0
REPEAT, WARMUPS = 20, 2
SHARE = 0.15  # members with a situation
VISITS_A_YEAR = 4  # visits and calls a year, on average, to a member with a situation


def add_care(store_url: str, as_of: date, seed: int = console_data.SEED) -> dict[str, int]:
    """Situations and a year of visits for the dataset's members (the same on every run)."""
    from bureau.models import HARDSHIPS, Member, Situation, Visit
    from bureau.schema import open_store
    from bureau.store import close_store, write

    rng = random.Random(seed + 22)
    open_store(store_url)
    try:
        members = list(
            Member.select(Member.member_no, Member.site, Member.birth_year).order_by(Member.member_no).tuples()
        )
        chosen = [m for m in members if rng.random() < SHARE]
        situations, visits = [], []
        for no, site, year in chosen:
            born = date(year, rng.randint(1, 12), rng.randint(1, 28)) if year and rng.random() < 0.8 else None
            hospital = rng.random()
            since = as_of - timedelta(days=rng.randint(1, 60)) if hospital < 0.05 else None
            back = since + timedelta(days=rng.randint(3, 20)) if since and hospital < 0.03 else None
            situations.append(
                {
                    "member_no": no,
                    "site": site,
                    "retired": rng.choice(("离休", "退休", "退休", "退休", "")),
                    "party_member": rng.random() < 0.4,
                    "birth_date": born,
                    "lives_alone": rng.random() < 0.2,
                    "hardship": ",".join(rng.sample(HARDSHIPS, rng.choice((0, 0, 0, 1, 2)))),
                    "phone": f"139{rng.randrange(10**8):08d}",
                    "contact_name": rng.choice(("", "志愿者刘红", "社工小陈")),
                    "in_hospital_since": since,
                    "back_from_hospital": back if back and back <= as_of else None,
                }
            )
            for _ in range(rng.choice(range(2 * VISITS_A_YEAR + 1))):
                visits.append(
                    {
                        "member_no": no,
                        "site": site,
                        "day": as_of - timedelta(days=rng.randint(0, 365)),
                        "kind": rng.choice(("visit", "call", "call", "hospital")),
                        "visitor": "社工小陈",
                        "reason": rng.choice(("", "birthday", "festival", "alone")),
                        "recorded_by": "bench",
                    }
                )
        with write():
            Situation.delete().execute()
            Visit.delete().execute()
            for start in range(0, len(situations), 2000):
                Situation.insert_many(situations[start : start + 2000]).execute()
            for start in range(0, len(visits), 2000):
                Visit.insert_many(visits[start : start + 2000]).execute()
        return {"situations": len(situations), "visits": len(visits)}
    finally:
        close_store()


def timed(call: Callable[[], object], repeat: int, warmups: int) -> tuple[list[float], object]:
    out, result = [], None
    for n in range(warmups + repeat):
        started = time.perf_counter()
        result = call()
        if n >= warmups:
            out.append((time.perf_counter() - started) * 1000)
    return out, result


def measure(repeat: int = REPEAT, warmups: int = WARMUPS, use_cache: bool = True) -> list[Figure]:
    from peewee import fn

    from bench.console import analysed, prepared
    from bureau.care import lists
    from bureau.models import Member, Site
    from bureau.schema import open_store
    from bureau.store import close_store
    from tools import pgcluster

    as_of = date.today()
    figures = []
    with pgcluster.cluster(fsync=True) as cluster:
        url, built = prepared(cluster, console_data.FULL, use_cache)
        started = time.perf_counter()
        added = add_care(url, as_of)
        analysed(cluster)
        print(f"care data added in {time.perf_counter() - started:.1f} s: {added}", flush=True)
        open_store(url)
        try:
            sites = list(Site.select().order_by(Site.code))
            busiest_id = (
                Member.select(Member.site, fn.COUNT(Member.id))
                .group_by(Member.site)
                .order_by(fn.COUNT(Member.id).desc())
                .tuples()
                .first()[0]
            )
            busiest = next(s for s in sites if s.id == busiest_id)
            members = Member.select().where(Member.site == busiest).count()
            print(f"as of {as_of}; busiest site {busiest.code}: {members:,} members; {len(sites)} sites", flush=True)
            cases: list[tuple[str, Callable[[], object]]] = [
                (f"care list {lists.LISTS[k]} ({k}), a site", lambda k=k: lists.rows(k, [busiest], as_of))
                for k in lists.LISTS
            ]
            cases += [
                ("care tabs' counts, a site", lambda: lists.site_counts(busiest, as_of)),
                ("care every site's counts (admin)", lambda: lists.counts(sites, as_of)),
                ("care overview's 待走访 line (admin)", lambda: lists.totals(sites, as_of)),
                ("care overview's 待走访 line, a site", lambda: lists.totals([busiest], as_of)),
            ]
            for name, call in cases:
                times, result = timed(call, repeat, warmups)
                p50, p95 = percentile(times, 50), percentile(times, 95)
                size = len(result) if isinstance(result, list) else ""
                figures.append(
                    Figure(name, f"p50 {p50:.0f} ms, p95 {p95:.0f} ms", f"p95 ≤ {TARGET_MS:g} ms", p95 <= TARGET_MS)
                )
                rows = f"  ({size} rows)" if size != "" else ""
                print(f"  {name:<40} p50 {p50:7.1f}  p95 {p95:7.1f} ms{rows}", flush=True)
        finally:
            close_store()
    load = os.getloadavg()
    print(f"  {os.cpu_count()} CPU cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (1/5/15 min)")
    return figures


def run() -> list[Figure]:
    return measure()


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.care")
    p.add_argument("--repeat", type=int, default=REPEAT)
    p.add_argument("--no-cache", action="store_true", help="build the console dataset afresh, dump nothing")
    args = p.parse_args(argv)
    found = measure(args.repeat, WARMUPS, not args.no_cache)
    return 0 if all(f.ok is not False for f in found) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
