"""Benchmarks: they print the figures of docs/design.md §10; tests assert behaviour, these measure.

    python -m bench                  every benchmark, then a summary table
    python -m bench signin coldstart only these (names: tenyear, signin, coldstart, devices, screen,
                                     selfservice, staffdata, sync, idhash, console, care, lottery, and soak, run only
                                     when named)
    ./dev bench [names]              the same under xvfb-run, as the project runs it

tenyear    builds the 10-year database once (50,000 members, 2,000,000 sign-ins with their
           points and acked outbox facts, 20 terms of ~150 courses) and caches it under
           $YINLING_BENCH_DIR (default: yinling-bench in the temporary folder), keyed by the
           generator's source.
           The first build takes a few minutes; later runs reuse it.
signin     sign-in decision + commit on a copy of that database: CheckIn.handle on a QR card for
           2,000 different members, each with one lesson due; p50/p95/p99/max.  Target p95 ≤ 5 ms.
           Wall-clock, so other load on the machine shows in it: the line under it gives the load
           average and the CPU time the sign-ins took themselves.
coldstart  `python main.py --data-dir DIR` from spawn until kiosk.log says "home screen ready":
           the first start (empty data dir, demo data loaded) and 5 warm starts.  Needs a DISPLAY
           (./dev bench provides one).  Target ≤ 3 s.
devices    ID-card driver time beyond the wire time of a full read (1295 bytes at 115200 baud,
           over a pty from the simulator sending at that rate), target ≤ 10 %; and reconnect
           after a replug, target ≤ 2 s.
screen     ID card bytes in → result screen drawn, the real app under Xvfb with the simulated
           reader: p95 beyond the read reply's wire time, target ≤ 100 ms.
selfservice a member's card read on 「我的积分」 / 「近期活动」 → that screen drawn with their
           passbook / activities, the real app under Xvfb on a copy of the 10-year database;
           p50/p95/max per screen, target p95 ≤ 100 ms.
staffdata  staff work on a full site: import of a 3,000-member roster from .xlsx (target ≤ 10 s)
           and a term's attendance export for 300 courses to .xlsx (target ≤ 5 s) and .csv.
sync       kiosks pushing to a real bureau on loopback, on SQLite and on a private PostgreSQL
           (fsync on): a 30,000-fact backlog through the real client (target ≤ 5 s); the bureau's
           ingest rate (≥ 5,000 facts/s) and its ratio to the driver's own bulk insert (≥ 0.5);
           200 kiosks × 1,000 facts from 16 pushers at once (p99 request < 2 s, no 5xx, every
           fact once); bytes per fact on the wire; and `serve --workers 1, 2, 4` on PostgreSQL with
           8 kiosks pushing at once, then idle pulls (facts/s, CPU a fact and a request, store and
           dump bytes a fact).  `python -m bench.sync --quick` runs it small, `--workers 1,2,4`
           only the workers part.
idhash     the CPU time of one id_hash derivation (contract.idhash), and what recovering one
           member's ID number from everything on a kiosk's disk costs with the province known:
           region codes × birth dates × sequences, half of them on average; target ≥ 1 CPU-day.
console    the management console on PostgreSQL with 10 years of data (40 sites, 50,000 members,
           ~2,000,000 sign-ins; built once, then restored from a pg_dump cache): every page's
           p50/p95 server time (its Server-Timing header) as an admin, a viewer and a centre's
           staff, target p95 ≤ 300 ms, a year's chart of every site ≤ 1 s; pages not landed yet
           are "missing".  And an activity saved in the console → on a real kiosk's database
           through its own sync loop: p95 ≤ 60 s (docs/console.md 性能).
care       the care lists (bureau/care/lists.py) on the console's dataset with situations for 15 %
           of the members and a year of visits added: each list of the busiest site, its tab
           counts, every site's counts and the overview's totals; p50/p95, target p95 ≤ 300 ms.
lottery    the enrolment draw (bureau/enrolment/lottery.py): 5,000 applicants for 300 courses, run
           twice: each ≤ 2 s and bit-identical (SHA-256 of the whole order); and the same draw
           through a SQLite store (the list fixed, the draw filed with rosters and items), timed.
soak       a long day (`--cards N`, default 10,000; `--minutes M` ends it early): the real app
           under Xvfb on the demo site, registered at a real bureau on loopback, signs in ID cards
           (simulated reader), QR cards (serial scanner and keyboard wedge), seniors open their own
           screens between them and staff log in now and then.  RSS at the home screen after start
           (≤ 250 MB) and its growth (≤ 10 %), fds and threads (constant), p95 card → result drawn
           of the first and last 1,000 (end ≤ start), sign-ins/s, outbox and bureau fact counts.

Each benchmark prints its own lines as it goes and returns Figures for the summary.  The exit
status is 1 when a figure misses its target or a benchmark could not run.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: no target, or it could not be measured

    def verdict(self) -> str:
        if not self.target:
            return ""
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.ok]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]
