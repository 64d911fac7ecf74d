"""A roster's columns: the headers each goes by in the spreadsheets centers keep (the first is the
one a template asks for), and the member number's and course list's syntax."""

import re

MEMBER_COLUMNS = {
    "member_no": ("学员编号", "会员号", "会员编号"),
    "loose_no": ("编号",),  # member numbers, or just 1, 2, 3 (the kiosk's importer tells)
    "name": ("姓名", "学员姓名"),
    "gender": ("性别",),
    "birth_date": ("出生日期",),
    "birth_month": ("出生年月",),
    "birth_year": ("出生年份",),
    "phone": ("手机号", "手机号码", "手机", "电话", "联系电话"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
    "nation": ("民族",),
    "address": ("住址", "地址", "家庭住址"),
    "courses": ("课程", "所选课程", "报名课程"),
}
MEMBER_NO = re.compile(r"[0-9A-Za-z-]{1,32}")
COURSE_LIST = re.compile(r"[、；;，,\n]+")


def course_names(text: str) -> list[str]:
    """「书法班、太极拳班」 → the course names, each once, in order."""
    return list(dict.fromkeys(c.strip() for c in COURSE_LIST.split(text) if c.strip()))
