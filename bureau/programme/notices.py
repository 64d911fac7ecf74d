"""Notices (通知, 停课, 调课): shown on the kiosks' attract and home screens from start to end.

A notice is item notice:<key> of the "items" stream, for one site's kiosks or every kiosk:

    {"kind": "notice", "key": K, "type": "notice"|"suspend"|"move", "title": T, "body": B,
     "start": "2026-12-01T08:00:00", "end": "2026-12-08T18:00:00"}

Withdrawing it deletes the item (a tombstone): the kiosks drop it.
"""

import uuid
from datetime import datetime

from bureau import audit, streams
from bureau.models import Notice, Site

KINDS = {"notice": "通知", "suspend": "停课", "move": "调课"}
TITLE_MAX, BODY_MAX = 40, 200  # characters: a notice is read on a kiosk's screen in large type


class NoticeError(ValueError):
    """A notice that cannot be published (the message says why, in Chinese)."""


def publish(
    site: Site | None,
    kind: str,
    title: str,
    body: str,
    start: datetime,
    end: datetime,
    username: str,
    source: str = "",
) -> Notice:
    """A new notice for `site`'s kiosks (None: every kiosk), published and audited.  Call inside
    store.write(), in the transaction of whatever made it (a lesson change, say)."""
    title, body = title.strip(), body.strip()
    if kind not in KINDS:
        raise NoticeError(f"没有「{kind}」这类通知。")
    if not title:
        raise NoticeError("请填写通知的标题。")
    if len(title) > TITLE_MAX or len(body) > BODY_MAX:
        raise NoticeError(f"通知太长了：标题最多 {TITLE_MAX} 个字，内容最多 {BODY_MAX} 个字。")
    if end <= start:
        raise NoticeError("通知的结束时间要晚于开始时间。")
    notice = Notice.create(
        key=uuid.uuid4().hex,
        site=site,
        kind=kind,
        title=title,
        body=body,
        start=start,
        end=end,
        source=source,
        created_by=username,
    )
    streams.publish("items", f"notice:{notice.key}", item(notice), scope(site))
    audit.record(username, "notice.publish", title, site, {"key": notice.key, "kind": kind, "source": source})
    return notice


def withdraw(notice: Notice, username: str, at: datetime, reason: str = "") -> None:
    """The kiosks drop the notice.  Call inside store.write()."""
    Notice.update(withdrawn_at=at).where(Notice.id == notice.id).execute()
    streams.publish("items", f"notice:{notice.key}", None, scope(notice.site))
    audit.record(username, "notice.withdraw", notice.title, notice.site, {"key": notice.key}, reason)


def item(notice: Notice) -> dict:
    """The notice as the kiosks get it."""
    return {
        "kind": "notice",
        "key": notice.key,
        "type": notice.kind,
        "title": notice.title,
        "body": notice.body,
        "start": notice.start.isoformat(),
        "end": notice.end.isoformat(),
    }


def scope(site: Site | None) -> str:
    """The stream scope of a row of `site` (None: every kiosk)."""
    return f"site:{site.code}" if site is not None else ""
