"""Console: course lists and rosters imported from a spreadsheet (bureau.programme.imports), with
a preview before anything changes.

    GET  /web/classes/templates/{courses|roster}.xlsx   the blank templates
    POST /web/classes/terms/{id}/import/{courses|roster} a file → its preview
    POST /web/classes/courses/{key}/import              a roster for that course → its preview
    POST /web/classes/import/confirm                    the previewed file applied

The uploaded file is kept in the store (PendingImport) between preview and confirm, under a random
token bound to the session that sent it, so the confirmation may reach any of the service's
workers: the confirm form sends back only the token, never the file or what the preview found, and
the checks run again inside the write.  Limits: 5 MB, 5,000 rows, .xlsx or .csv.
"""

import hashlib
import secrets
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from bureau.console import base
from bureau.console.base import BadQuery, Refused, Viewer, action, not_found, page
from bureau.console.classes import ERROR, _owned_course, _owned_term, now
from bureau.models import Course, PendingImport, Term, WebSession
from bureau.programme import imports
from bureau.store import utcnow, write
from contract.cells import Sheet
from contract.imports.courses import COURSE_COLUMNS

router = APIRouter(prefix="/web")
SIZE_MAX = 5 * 1024 * 1024
KEEP = timedelta(minutes=30)  # a preview left open longer is uploaded again
PREVIEW = "classes_import.html"


def keep(session: WebSession, kind: str, term: Term, course: Course | None, name: str, data: bytes) -> str:
    """Keep an uploaded file for its confirmation; returns the token the confirm form sends back.
    Uploads older than KEEP are forgotten on the way."""
    token = secrets.token_urlsafe(24)
    with write():
        PendingImport.delete().where(PendingImport.created_at < utcnow() - KEEP).execute()
        PendingImport.create(
            token_hash=_digest(token), session=session, kind=kind, term=term, course=course, name=name, data=data
        )
    return token


def kept(session: WebSession, token: str) -> PendingImport:
    """The upload of `token`, if this session made it and it is not too old; else Refused (410)."""
    found = PendingImport.get_or_none(
        (PendingImport.token_hash == _digest(token))
        & (PendingImport.session == session.id)
        & (PendingImport.created_at >= utcnow() - KEEP)
    )
    if found is None:
        raise Refused("这次导入已过期（或不是在这个登录里预览的），请重新选择文件导入。", 410)
    return found


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def file_of(request: Request, form: FormData) -> tuple[str, bytes]:
    """The form's file, within the limits; BadQuery (kindly) otherwise."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadQuery("请先选择要导入的 Excel（.xlsx）或 .csv 文件。")
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not name.lower().endswith((".xlsx", ".csv")):
        raise BadQuery(f"不能导入「{name}」：只能导入 .xlsx 或 .csv 文件，请在 Excel 里“另存为”后再试。")
    data = upload.file.read(SIZE_MAX + 1)
    if len(data) > SIZE_MAX:
        raise BadQuery(f"「{name}」太大了：最大 {SIZE_MAX // 1024 // 1024} MB，请分成几个文件。")
    return name, data


def _preview(
    request: Request, viewer: Viewer, form: FormData, kind: str, term: Term, course: Course | None
) -> Response:
    name, data = file_of(request, form)
    try:
        found = imports.preview(data, name, kind, term, course)
    except imports.ImportError_ as e:
        raise BadQuery(str(e)) from None
    token = keep(viewer.session, kind, term, course, name, data)
    return base.render(
        PREVIEW, viewer=viewer, user=viewer.user, path=request.url.path, p=found, token=token, term=term, course=course
    )


@router.post("/classes/terms/{term_id}/import/{kind}")
async def preview_term(request: Request, term_id: int, kind: str) -> Response:
    if kind not in imports.KINDS:
        raise not_found()

    def change(viewer: Viewer, form: FormData) -> Response:
        return _preview(request, viewer, form, kind, _owned_term(viewer, term_id), None)

    return await action(request, change, ERROR)


@router.post("/classes/courses/{key}/import")
async def preview_course(request: Request, key: str) -> Response:
    def change(viewer: Viewer, form: FormData) -> Response:
        course = _owned_course(viewer, key)
        return _preview(request, viewer, form, "roster", course.term, course)

    return await action(request, change, ERROR)


@router.post("/classes/import/confirm")
async def confirm(request: Request) -> Response:
    def change(viewer: Viewer, form: FormData) -> Response:
        upload = kept(viewer.session, str(form.get("token", "")))
        term = _owned_term(viewer, upload.term_id)
        course = _owned_course(viewer, Course.get_by_id(upload.course_id).key) if upload.course_id else None
        with write():
            # Taken first: of two confirmations of one preview (a double click) only one applies it.
            if not PendingImport.delete().where(PendingImport.id == upload.id).execute():
                raise Refused("这个文件已经导入过了。", 410)
            try:
                data = bytes(upload.data)  # PostgreSQL gives a memoryview
                done = imports.apply(data, upload.name, upload.kind, term, viewer.user.username, now(), course)
            except imports.ImportError_ as e:
                raise BadQuery(str(e)) from None
        return base.render(
            PREVIEW, viewer=viewer, user=viewer.user, path=request.url.path, p=done, done=True, term=term, course=course
        )

    return await action(request, change, ERROR)


# --- templates ---------------------------------------------------------------------------------------------

_COURSES = ("name", "teacher", "room", "capacity", "schedule", "term", "category")
_NOTES = {
    "name": ("太极拳（三）班", "课程名称；同一学期里不能重名", "必填"),
    "teacher": ("陈老师", "上课老师的姓名", "可不填"),
    "room": ("一楼 多功能厅", "上课的教室", "可不填"),
    "capacity": ("30", "人数上限，写数字；不填或 0 就是不限人数", "可不填"),
    "schedule": (
        "周二 09:00-11:00；周四 09:00-11:00",
        "每周上课时间，如「周二 09:00-11:00」；几次用「；」隔开",
        "必填",
    ),
    "term": ("", "学期名称；不填就是导入时所在的学期", "可不填"),
    "category": ("", "积分类别，一般不填（按上课记积分）", "可不填"),
}
_ROSTER = (
    ("学员编号", "DM0001", "学员编号（学号）；不写的话写姓名和身份证后四位", "二选一"),
    ("姓名", "王秀英", "姓名；和学号一起写时要和登记的一致", "二选一"),
    ("身份证后四位", "", "身份证号的最后 4 位，没有学号时用来确认是哪一位", "可不填"),
    ("课程", "太极拳（三）班", "本学期要报的课程，几门课用「、」隔开；在课程页导入时可不填", "必填"),
)
HOW = "第一张表的第 2 行是示例：照着填，每门课或每位学员一行；示例行不要的话删掉。"


@router.get("/classes/templates/{kind}.xlsx")
def template(request: Request, kind: str) -> Response:
    def figures(viewer: Viewer) -> Response:
        if kind == "courses":
            columns = [COURSE_COLUMNS[f][0] for f in _COURSES]
            rows = [(f"「{c}」", _NOTES[f][1], _NOTES[f][2]) for c, f in zip(columns, _COURSES)]
            first = Sheet("课程表", columns, [[_NOTES[f][0] for f in _COURSES]])
        elif kind == "roster":
            rows = [(f"「{c}」", note, must) for c, _, note, must in _ROSTER]
            first = Sheet("学员名单", [r[0] for r in _ROSTER], [[r[1] for r in _ROSTER]])
        else:
            raise not_found()
        notes = Sheet("填写说明", ["列", "怎么填", "必填吗"], [*rows, ("", HOW, "")])
        return base.xlsx(f"{imports.KINDS[kind]}模板.xlsx", first, notes)

    return page(request, ERROR, figures)  # type: ignore[arg-type]
