"""A kiosk as a process of its own, for the fault tests (tests/bureau/faults.py): it signs seniors
in on a real kiosk.db and pushes its outbox to the bureau, and can be killed with SIGKILL at any
moment and started again on the same kiosk.db.

    python -m tests.bureau.kiosk_driver SITE_FILE DATA_DIR [--write N | --forever] [--push-every K]
                                         [--drain] [--pull]

Each sign-in is one IMMEDIATE transaction: a new member registers (its "member" fact) and signs
in (kiosk.checkin.signin.record_sign_in: the SignIn, its points entry and both their facts); once its
commit has returned, the driver prints `ack <event_id> …` with the facts it wrote, flushed, so
the test knows what was acknowledged.  A push the bureau answered prints `pushed <acked_seq>`, a
drained outbox `drained`, and a pull of every stream `pulled` and the streams that failed.  With
--pull it pulls after each push and at the end.
"""

import argparse
import sys
from datetime import datetime, timedelta
from itertools import count

from uuid6 import uuid7

from kiosk import config
from kiosk.checkin.signin import record_sign_in
from kiosk.programme.schedule import Item
from kiosk.store import facts
from kiosk.store.db import db, insert, open_db, write
from kiosk.store.models import Activity, Member, Site
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.pull import pull_all
from kiosk.sync.push import backlog, push_once

SETTINGS = None  # the kiosk's settings, loaded by main() (a test may set them itself)


def activity() -> Item:
    """The open activity every sign-in is for, made on the first start."""
    with write():
        found = Activity.select().first()
        if found is None:
            site = Site.get_or_none() or Site.create(code=SETTINGS.site.code, name="故障测试中心")
            start = datetime.now().replace(microsecond=0)
            found = Activity.create(
                site=site, title="健康讲座", place="一楼", start=start, end=start + timedelta(hours=2), open=True
            )
    return Item("activity", found.id, found.title, found.place, found.start, found.end)


def sign_in(item: Item) -> list[str]:
    """A new member signs in to `item`: the event_ids of the facts committed."""
    with write():
        newest = db.execute_sql("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
        number = f"{SETTINGS.staff.member_prefix}{uuid7().int % 10**12:012d}"  # the site's prefix, as the bureau wants
        now = datetime.now()
        member = Member(
            id=insert(Member, member_no=number, name="测试", site=Site.get().id, joined=now.date()),
            member_no=number,
            name="测试",
        )
        facts.record(
            "member",
            facts.new_event_id(),
            {
                "member_no": number,
                "name": "测试",
                "gender": "",
                "id_hash": None,
                "phone_last4": "",
                "site": SETTINGS.site.code,
                "joined": now.date().isoformat(),
                "active": True,
                "at": now.isoformat(),
            },
            now,
        )
        record_sign_in(member, item, "qr", now, SETTINGS.kiosk.id, SETTINGS.site.code)
        written = [r[0] for r in db.execute_sql("SELECT event_id FROM outbox WHERE seq > ?", (newest,))]
    return written


def pull(bureau: Bureau) -> None:
    done = pull_all(bureau, Here(SETTINGS.site.code, SETTINGS.kiosk.id, datetime.now()))
    say(" ".join(["pulled", *(s for s, d in done.items() if isinstance(d, Exception))]))


def push(bureau: Bureau) -> None:
    try:
        pushed = push_once(bureau, SETTINGS.sync.batch)
    except Unreachable:
        return
    if pushed is not None:
        say(f"pushed {pushed.acked_seq}")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    global SETTINGS
    p = argparse.ArgumentParser()
    p.add_argument("site_file")
    p.add_argument("data_dir")
    p.add_argument("--write", type=int, default=0, help="sign-ins to write (0: none)")
    p.add_argument("--forever", action="store_true", help="write sign-ins until killed")
    p.add_argument("--push-every", type=int, default=0, help="push once after every K sign-ins")
    p.add_argument("--drain", action="store_true", help="then push until the outbox is empty")
    p.add_argument("--pull", action="store_true", help="pull every stream after each push and at the end")
    args = p.parse_args(argv)
    SETTINGS = config.load(args.site_file, args.data_dir)
    open_db(SETTINGS.kiosk.data_dir)
    say("ready")
    bureau = Bureau(SETTINGS)
    item = activity() if args.write or args.forever else None
    for i in count(1):
        if not args.forever and i > args.write:
            break
        say("ack " + " ".join(sign_in(item)))
        if args.push_every and i % args.push_every == 0:
            push(bureau)
            if args.pull:
                pull(bureau)
    if args.drain:
        while backlog():
            push(bureau)
        say("drained")
    if args.pull:
        pull(bureau)
    bureau.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
