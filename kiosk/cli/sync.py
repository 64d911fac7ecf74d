"""python main.py sync --once | --nightly | --status: an operator's sync, run by hand.

    sync --once      push every fact the bureau lacks (its state compared first), then pull what it publishes
    sync --nightly   the full nightly sync now: push, pull, and compare every stream's checksum
    sync --status    the backlog, the last successes and the last error, without the network

Exit codes: 0 done (or nothing to do), 1 the bureau could not be reached or a stream failed (try
again later), 2 the bureau refused this kiosk or sync is not set up (a person must act).
"""

import argparse
import json
import sys
from datetime import datetime
from types import SimpleNamespace

from kiosk.i18n import t
from kiosk.sync import nightly, state
from kiosk.sync import status as sync_status
from kiosk.sync.apply import Here
from kiosk.sync.client import Bureau, Unreachable
from kiosk.sync.pull import Pulled, pull_all
from kiosk.sync.push import Denied, push_all, reconcile


def add(sub) -> None:
    p = sub.add_parser("sync", help="sync with the bureau now, or show the sync status")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--once", action="store_true", help="push everything not yet acknowledged, then pull")
    what.add_argument("--nightly", action="store_true", help="the full sync with checksums, now")
    what.add_argument("--status", action="store_true", help="backlog, last successes, last error")


def run(args: argparse.Namespace, settings: SimpleNamespace) -> int:
    if args.status:
        print(_describe(sync_status.status(bool(settings.sync.url))))
        print(_describe_pull())
        return 0
    if not settings.sync.url:
        print(t("sync.not_configured"), file=sys.stderr)
        return 2
    bureau = Bureau(settings)
    here = Here(settings.site.code, settings.kiosk.id, datetime.now())
    try:
        if args.nightly:
            return _nightly(bureau, settings, here)
        return _once(bureau, settings, here)
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


def _once(bureau: Bureau, settings: SimpleNamespace, here: Here) -> int:
    reconcile(bureau)  # by hand after a restore of the bureau, too, nothing it lost stays missing
    pushed = push_all(bureau, settings.sync.batch)
    now = sync_status.status(True)
    print(
        t(
            "sync.pushed",
            sent=sum(p.sent for p in pushed),
            inserted=sum(p.inserted for p in pushed),
            duplicates=sum(p.duplicates for p in pushed),
            rejected=sum(p.rejected for p in pushed),
            acked=now.acked_seq,
            backlog=now.backlog,
        )
    )
    failed = []
    for stream, done in pull_all(bureau, here).items():
        if isinstance(done, Pulled):
            print(
                t(
                    "sync.pulled",
                    stream=stream,
                    applied=done.applied,
                    ignored=done.ignored,
                    cursor=done.cursor,
                    refetched=t("sync.refetched") if done.refetched else "",
                )
            )
        else:
            print(t("sync.pull_failed", stream=stream, error=done), file=sys.stderr)
            failed.append(stream)
    return _ended(failed)


def _nightly(bureau: Bureau, settings: SimpleNamespace, here: Here) -> int:
    result = nightly.run(bureau, settings.sync.batch, here)
    for stream, outcome in result.items():
        print(t("sync.checked", stream=stream, result=t(f"sync.result.{outcome}")))
    return _ended([stream for stream, outcome in result.items() if outcome == "error"])


def _ended(failed: list[str]) -> int:
    if failed:
        sync_status.failed(f"pull failed: {', '.join(failed)}")
        return 1
    sync_status.succeeded()
    return 0


def _describe(s: sync_status.Status) -> str:
    never = t("sync.never")
    return t(
        "sync.status",
        configured=t("sync.on" if s.configured else "sync.off"),
        backlog=s.backlog,
        oldest=f"{s.oldest_pending:%Y-%m-%d %H:%M}" if s.oldest_pending else never,
        rejected=s.rejected,
        acked=s.acked_seq,
        epoch=s.epoch,
        last=f"{s.last_push_ok:%Y-%m-%d %H:%M:%S}" if s.last_push_ok else never,
        error=s.last_error or never,
    )


def _describe_pull() -> str:
    result = json.loads(state.get("last_nightly_result") or "{}")
    return t(
        "sync.pull_status",
        pulled=_when("last_pull_ok"),
        nightly=_when("last_nightly_ok"),
        result="，".join(f"{s} {t(f'sync.result.{r}')}" for s, r in result.items()) or t("sync.never"),
    )


def _when(key: str) -> str:
    value = state.get(key)
    return f"{datetime.fromtimestamp(float(value)):%Y-%m-%d %H:%M:%S}" if value else t("sync.never")
