"""/web/audit: the audit trail, newest first, filtered and paged, and its .xlsx download.

The bureau's accounts see every entry; a center's staff only the entries of their own site (not
the bureau-wide ones, whose site is empty): another site's entry, by ?site= or by its number,
is not found for them.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from peewee import JOIN, ModelSelect

from bureau import reports
from bureau.console.base import BadQuery, Viewer, day, not_found, page, page_number, xlsx
from bureau.models import AuditEntry, Site
from contract.cells import Sheet

router = APIRouter(prefix="/web")

PAGE = 50
MAX_ROWS = 50_000  # an export: a year of a busy bureau's changes
# What an entry's action means, for the page (an action not listed shows as it is).
ACTIONS = {
    "user.add": "新建账号",
    "user.role": "修改角色/站点",
    "user.name": "修改姓名",
    "user.password": "修改/重设密码",
    "user.disable": "停用账号",
    "user.enable": "启用账号",
    "user.unlock": "解锁账号",
    "session.end": "退出会话",
    "session.end_others": "退出其他会话",
    "rule.set": "积分规则",
    "settings.set": "签到机设置",
    "activity.publish": "发布活动",
    "activity.withdraw": "撤回活动",
    "course.publish": "发布课程",
    "notice.publish": "发布通知",
    "notice.withdraw": "撤回通知",
    "term.create": "新建学期",
    "term.update": "修改学期",
    "holiday.add": "添加假日",
    "holiday.remove": "取消假日",
    "course.create": "新建课程",
    "course.update": "修改课程",
    "course.withdraw": "撤下课程",
    "lesson.cancel": "停课",
    "lesson.move": "调课",
    "lesson.cancel.undo": "撤销停课",
    "lesson.move.undo": "撤销调课",
    "enrollment.enrolled": "报名",
    "enrollment.waitlisted": "候补",
    "enrollment.promote": "候补转正",
    "enrollment.drop": "退课",
}


@dataclass(frozen=True)
class Filters:
    site: Site | None
    username: str
    action: str
    start: date | None
    end: date | None

    def query(self) -> dict:
        """The filters as the page's query string (for the next page's and the download's links)."""
        found = {
            "site": self.site.code if self.site else "",
            "user": self.username,
            "action": self.action,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {k: v for k, v in found.items() if v}


@router.get("/audit")
def audit(request: Request) -> Response:
    def figures(viewer: Viewer) -> dict:
        filters = _filters(viewer, request)
        number = page_number(request)
        query = entries(viewer, filters)
        total = query.count()
        return {
            "filters": filters,
            "entries": list(query.paginate(number, PAGE)),
            "number": number,
            "pages": max(1, -(-total // PAGE)),
            "total": total,
            "sites": list(viewer.sites()),
            "actions": ACTIONS,
            "local": reports.local_time,
        }

    return page(request, "audit.html", figures)


@router.get("/audit.xlsx")
def audit_xlsx(request: Request) -> Response:
    def download(viewer: Viewer) -> Response:
        filters = _filters(viewer, request)
        rows = [
            (
                reports.local_time(e.at),
                e.username,
                e.site.code if e.site else "全部",
                ACTIONS.get(e.action, e.action),
                e.target,
                e.reason,
                e.detail,
            )
            for e in entries(viewer, filters).limit(MAX_ROWS)
        ]
        columns = ("时间", "操作人", "站点", "操作", "对象", "原因", "内容")
        return xlsx("操作记录.xlsx", Sheet("操作记录", columns, rows))

    return page(request, "audit.html", download)


@router.get("/audit/{entry_id}")
def entry(request: Request, entry_id: int) -> Response:
    def figures(viewer: Viewer) -> dict:
        found = entries(viewer, Filters(None, "", "", None, None)).where(AuditEntry.id == entry_id).first()
        if found is None:
            raise not_found("没有这条操作记录，或您无权查看。")
        detail = json.loads(found.detail) if found.detail else None
        return {"entry": found, "detail": detail, "actions": ACTIONS, "local": reports.local_time}

    return page(request, "audit_entry.html", figures)


def entries(viewer: Viewer, filters: Filters) -> ModelSelect:
    """The entries this viewer may see that pass the filters, newest first."""
    query = AuditEntry.select(AuditEntry, Site).join(Site, JOIN.LEFT_OUTER)
    own = viewer.own_site
    if own is not None:
        query = query.where(AuditEntry.site == own.id)  # not even the bureau-wide ones
    if filters.site is not None:
        query = query.where(AuditEntry.site == filters.site.id)
    if filters.username:
        query = query.where(AuditEntry.username == filters.username)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.start:
        query = query.where(AuditEntry.at >= _utc(filters.start))
    if filters.end:
        query = query.where(AuditEntry.at < _utc(filters.end + timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def _utc(local_day: date) -> datetime:
    """The start of a day of the bureau's own clock, as the UTC the entries are stored in."""
    return datetime.combine(local_day, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _filters(viewer: Viewer, request: Request) -> Filters:
    q = request.query_params
    start = day(q, "from", "开始日期", date.min) if q.get("from") else None
    end = day(q, "to", "结束日期", date.min) if q.get("to") else None
    if start and end and end < start:
        raise BadQuery("结束日期要晚于开始日期。")
    return Filters(
        site=viewer.site(q["site"]) if q.get("site") else None,
        username=q.get("user", "").strip()[:64],
        action=q.get("action", "").strip()[:64],
        start=start,
        end=end,
    )
