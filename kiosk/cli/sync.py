"""python main.py sync --once | --status: an operator's sync, run by hand.

    sync --once      push every fact the bureau has not acknowledged, then say what happened
    sync --status    the backlog, the last success and the last error, without the network

Exit codes: 0 done (or nothing to do), 1 the bureau could not be reached (try again later),
2 the bureau refused this kiosk or sync is not set up (a person must act).
"""
import argparse
import sys
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.sync import status as sync_status
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.push import Denied, push_all


def add(sub) -> None:
    p = sub.add_parser("sync", help="sync with the bureau now, or show the sync status")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--once", action="store_true", help="push everything not yet acknowledged")
    what.add_argument("--status", action="store_true", help="backlog, last success, last error")


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    if args.status:
        print(_describe(sync_status.status(bool(settings.sync.url))))
        return 0
    if not settings.sync.url:
        print(t("sync.not_configured"), file=sys.stderr)
        return 2
    bureau = Bureau(settings)
    try:
        pushed = push_all(bureau, settings.sync.batch)
    except Unreachable as e:
        sync_status.failed(str(e))
        print(t("sync.unreachable", url=settings.sync.url, error=e), file=sys.stderr)
        return 1
    except Denied as e:
        sync_status.failed(e.code)
        print(t("sync.denied", code=e.code), file=sys.stderr)
        return 2
    finally:
        bureau.close()
    sync_status.succeeded()
    now = sync_status.status(True)
    print(t("sync.pushed", sent=sum(p.sent for p in pushed), inserted=sum(p.inserted for p in pushed),
            duplicates=sum(p.duplicates for p in pushed), rejected=sum(p.rejected for p in pushed),
            acked=now.acked_seq, backlog=now.backlog))
    return 0


def _describe(s: sync_status.Status) -> str:
    never = t("sync.never")
    return t("sync.status", configured=t("sync.on" if s.configured else "sync.off"), backlog=s.backlog,
             oldest=f"{s.oldest_pending:%Y-%m-%d %H:%M}" if s.oldest_pending else never,
             rejected=s.rejected, acked=s.acked_seq, epoch=s.epoch,
             last=f"{s.last_push_ok:%Y-%m-%d %H:%M:%S}" if s.last_push_ok else never,
             error=s.last_error or never)
