"""The front desk in staff mode in the real app (Xvfb): a newcomer registered from the ID card laid
on the simulated reader, reports exported and read back, and the audit trail that lists it all —
each checked on the screen, in the files and in the database file (docs/design.md §4.9)."""

import csv
import json

import pytest
from openpyxl import load_workbook

from contract import idhash
from kiosk.collation import pinyin_key
from kiosk.i18n import t
from tests.screens.conftest import rows
from tests.screens.scenarios_staff_desk import COURSE, EXPORT_DIR, PHONE

UNKNOWN_ID = "110102195208170022"  # the simulator's [unknown] card (devices/sim/cards.toml)
FLAGGED_ID = "110104194502280036"  # its [pua] card


@pytest.fixture(scope="module")
def desk(scenario):
    return scenario("newcomer_and_exports")


@pytest.fixture(scope="module")
def roster(scenario):
    return scenario("roster_import")


def test_a_newcomers_card_read_in_staff_mode_opens_the_form_filled_from_the_card(desk):
    obs, _ = desk
    # Read on 工作台: the senior's result as on home, and 「登记新学员」 offered to staff over it.
    assert obs["unknown_result"] == "unknown_card"
    assert obs["unknown_offers"] == [t("staff.offer.register")]
    assert obs["form_heading"] == t("staff.newcomers.form", name="马秀英")
    # The last 4 read from the card on the reader; nothing the kiosk does not keep beside the id_hash.
    for shown in ("马秀英", "女", "回", "0022", t("staff.newcomers.valid_to", day="2036-09-01")):
        assert shown in obs["form"]
    for kept_not in (UNKNOWN_ID, "1952-08-17", "北京市西城区牛街东里3号楼5门201号"):
        assert kept_not not in " ".join(obs["form"])
    assert obs["listed"] == ["马秀英"]


def test_a_wrong_phone_is_refused_with_the_cores_message_and_nothing_is_written(desk):
    obs, _ = desk
    assert obs["bad_phone_message"] == t("members.bad_phone", phone=PHONE[:3])
    assert obs["still_waiting"] and obs["members_after_refusal"] == obs["members_before"]
    assert obs["phone_shown"] == "139 1234 5678"


def test_registering_makes_a_member_with_the_hash_and_nothing_of_the_id_number(desk):
    obs, data_dir = desk
    member_no = obs["registered"]
    assert obs["registered_message"] == t("staff.newcomers.registered", name="马秀英", no=member_no)
    assert obs["done_heading"] == t("staff.newcomers.done", name="马秀英", no=member_no)
    assert member_no in obs["done_fields"] and UNKNOWN_ID not in " ".join(obs["done_fields"])
    ((name, gender, nation, id_hash, phone, phone_last4, initials),) = rows(
        data_dir,
        """
        SELECT name, gender, nation, id_hash, phone, phone_last4, initials
        FROM member WHERE member_no = ?""",
        member_no,
    )
    assert (name, gender, nation, phone, phone_last4, initials) == ("马秀英", "女", "回", PHONE, PHONE[-4:], "mxy")
    assert len(id_hash) == idhash.LENGTH  # and no last 4, birth date or address beside it
    assert rows(data_dir, "SELECT count(*) FROM newcomer_card WHERE id_hash = ?", id_hash) == [(0,)]
    assert rows(
        data_dir, "SELECT staff_name FROM audit WHERE action = 'member.register' AND target = ?", f"member {member_no}"
    ) == [("张老师",)]
    stored = b"".join(p.read_bytes() for p in data_dir.glob("kiosk.db*"))
    for number in (UNKNOWN_ID, FLAGGED_ID):
        assert number.encode() not in stored and number.encode("utf-16-le") not in stored


def test_a_name_the_card_could_not_give_is_registered_only_once_staff_confirm_it(desk):
    obs, data_dir = desk
    assert obs["flagged_warning"] == t("staff.newcomers.flagged")
    assert obs["flagged_message"] == t("members.name_flagged", name="刘□生")
    assert obs["flagged_registered"]
    assert obs["flagged_message_after"].startswith(t("staff.newcomers.registered", name="刘□生", no=""))
    name = rows(data_dir, "SELECT name FROM member WHERE member_no = ?", obs["flagged_registered"])
    assert name == [("刘□生",)]


def test_term_attendance_is_exported_as_xlsx_and_csv_and_reads_back(desk):
    obs, data_dir = desk
    folder = data_dir / EXPORT_DIR
    assert obs["usb_line"] == t("staff.exports.no_usb")
    assert obs["params"][t("staff.exports.param.folder")] == t("staff.exports.folder_home", path=folder)
    term = obs["params"][t("staff.exports.param.term")]
    (xlsx,) = folder.glob("*.xlsx")
    assert obs["xlsx_lines"] == [xlsx.name]
    assert obs["xlsx_message"] == t(
        "staff.exports.exported", count=1, folder=t("staff.exports.folder_home", path=folder)
    )
    courses = [
        name
        for (name,) in rows(
            data_dir,
            """
        SELECT c.name FROM course c JOIN term t ON t.id = c.term_id WHERE t.name = ? ORDER BY c.name""",
            term,
        )
    ]
    book = load_workbook(xlsx, read_only=True)
    assert sorted(book.sheetnames) == sorted(courses)
    header = next(book[courses[0]].iter_rows(max_row=1, values_only=True))
    assert header[:2] == (t("reports.member_no"), t("reports.name"))
    book.close()
    # Several tables as CSV: one file each, in a folder named as the workbook is.
    csvs = sorted((folder / xlsx.stem).glob("*.csv"))
    assert obs["csv_title"] == t("exports.written", count=len(courses))
    assert sorted(obs["csv_lines"]) == sorted(f"{xlsx.stem}/{p.name}" for p in csvs)  # on two pages
    assert sorted(p.stem for p in csvs) == sorted(courses)
    with csvs[0].open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0][:2] == [t("reports.member_no"), t("reports.name")]
    assert table[-1][0] == t("reports.total")
    assert rows(data_dir, "SELECT count(*) FROM audit WHERE action = 'export'") == [(2,)]


def test_cards_for_a_course_are_printed_to_a_sheet_in_the_folder(desk):
    obs, data_dir = desk
    enrolled = [
        no
        for (no,) in rows(
            data_dir,
            """
        SELECT m.member_no FROM member m JOIN enrollment e ON e.member_id = m.id
        JOIN course c ON c.id = e.course_id WHERE c.name = ? AND e.status = 'enrolled'
        ORDER BY m.member_no""",
            COURSE,
        )
    ]
    assert obs["print_choice"] == t("staff.exports.course_count", name=COURSE, count=len(enrolled))
    assert obs["printing_message"] == t("staff.exports.printing", count=len(enrolled))
    (sheet,) = (data_dir / EXPORT_DIR).glob("*.pdf")
    assert sheet.read_bytes().startswith(b"%PDF")
    ((target, detail),) = rows(data_dir, "SELECT target, detail FROM audit WHERE action = 'cards.print'")
    detail = json.loads(detail)
    assert target == sheet.name and detail["members"] == enrolled and not detail["printed"]
    assert obs["printed_message"] == t("staff.exports.saved", count=len(enrolled), pages=detail["pages"], path=sheet)


def test_the_audit_page_lists_the_actions_newest_first_in_chinese(desk):
    obs, _ = desk
    audit = obs["audit_rows"]
    label = lambda action: t(f"staff.audit.action.{action}")
    assert [a for _, a, _ in audit[:5]] == [
        label("cards.print"),
        label("export"),
        label("export"),
        label("member.register"),
        label("member.register"),
    ]
    assert audit[1][2] == f"{t('staff.audit.target.report')} {t('staff.exports.report.attendance')}"
    # a member by name and number (issue 19): 「学员 马秀英 DM0201」
    flagged = audit[3][2].split()
    assert (flagged[0], flagged[-1], len(flagged)) == (t("staff.audit.target.member"), obs["flagged_registered"], 3)
    assert audit[4][2] == f"{t('staff.audit.target.member')} 马秀英 {obs['registered']}"
    assert [a for _, a, _ in audit][-1] == label("staff.login")
    assert {who for who, _, _ in audit} == {"张老师"}


def test_logging_out_leaves_no_personal_data_on_the_desk_pages(desk):
    obs, _ = desk
    assert obs["left_behind"] == []


def test_a_roster_with_wrong_rows_shows_each_of_them_and_writes_nothing(roster):
    obs, data_dir = roster
    assert obs["rejected_title"] == t("imports.rejected", file="名单_有错.csv", count=2)
    assert obs["rejected_lines"] == [
        t(
            "imports.row_error",
            row="第 2 行",
            letter="C",
            column="手机号",
            message=t("imports.bad_phone", value="1381234"),
        ),
        t("imports.row_error", row="第 3 行", letter="B", column="性别", message=t("imports.bad_gender", value="人")),
    ]
    assert not obs["rejected_pending"]
    assert obs["members_after_rejection"] == obs["members_before"]


def test_a_clean_roster_is_checked_first_and_imported_on_confirm(roster):
    obs, data_dir = roster
    assert obs["checked_title"].endswith(t("imports.dry_run"))
    assert obs["checked_message"] == t("staff.exports.check_ok")
    assert obs["members_after_check"] == obs["members_before"]
    assert obs["imported_title"] == t(
        "imports.summary_members",
        file="名单.csv",
        created=2,
        updated=0,
        unchanged=0,
        enrolled=1,
        waitlisted=0,
        lessons=0,
    )
    assert obs["imported_message"] == t("staff.exports.imported") and not obs["pending_after"]
    phones = rows(data_dir, "SELECT name, phone FROM member WHERE name IN ('王桂兰', '赵德明') ORDER BY phone")
    assert phones == [("王桂兰", "13812340001"), ("赵德明", "13812340002")]
    assert rows(data_dir, "SELECT staff_name, target FROM audit WHERE action = 'import.members'") == [
        ("张老师", "file 名单.csv"),
        ("张老师", "file 名单_改名.csv"),  # the next test's
    ]


def test_a_name_read_from_an_id_card_is_listed_at_the_check_and_changed_only_on_its_own_button(roster):
    obs, data_dir = roster
    no = obs["card_member"]
    assert obs["renames_lines"][0] == t("imports.rename", row="第 2 行", member_no=no, old="钱秀英", new="钱秀华")
    assert obs["renames_message"] == t("staff.imports.check_renames", count=1)
    assert obs["renames_button"] == t("staff.imports.confirm_renames")
    assert obs["name_after_check"] == "钱秀英"
    assert (obs["renamed_message"], obs["name_after_confirm"]) == (t("staff.exports.imported"), "钱秀华")
    assert obs["button_after"] == t("staff.exports.confirm_import")
    assert rows(data_dir, "SELECT name FROM member WHERE member_no = ?", no) == [("钱秀华",)]


def test_imports_are_a_page_of_their_own_from_the_folder_a_usb_stick_would_be(roster):
    obs, data_dir = roster
    assert obs["admin_tile"] == t("staff.home.imports")
    assert obs["from"] == t("staff.exports.folder_home", path=data_dir / "desk_exports")


def test_a_clerk_cannot_start_an_import(roster):
    obs, _ = roster
    assert obs["clerk_tile"] == t("staff.home.imports_view")
    assert obs["clerk_import"] == [True, t("staff.imports.admin_only")]


@pytest.fixture(scope="module")
def morning(scenario):
    return scenario("busy_morning")


def test_the_missing_list_shows_ten_rows_a_page_in_full_pinyin_order(morning):
    obs, _ = morning
    assert obs["rows_shown"] == obs["missing_core"][:10]  # the core's order: kiosk.collation.pinyin_key
    assert obs["missing_core"] == sorted(obs["missing_core"], key=pinyin_key)
    assert len(obs["missing_core"]) > 10 and obs["pages"] == -(-len(obs["missing_core"]) // 10)


def test_the_sign_buttons_are_at_least_5_mm_apart(morning):
    obs, _ = morning
    ys = obs["button_ys"]
    gaps = [upper - lower - obs["button_h"] for lower, upper in zip(ys[1:], ys[:-1], strict=True)]
    assert min(gaps) >= 5 * obs["px_per_mm"] - 0.5


def test_the_reason_dialog_names_the_member_and_the_lesson_with_its_time(morning):
    obs, _ = morning
    start, end = obs["item_span"]
    question = obs["reason_question"]
    assert obs["signed_name"] in question and obs["lesson"] in question and start in question and end in question


def test_rows_and_sign_buttons_do_not_move_after_a_manual_sign_in(morning):
    obs, data_dir = morning
    assert obs["button_ys_after"] == obs["button_ys"]
    assert obs["rows_after"] == obs["rows_shown"]
    assert obs["message_y_after"] == obs["message_y"]
    assert obs["second_after"][0].startswith(t("staff.today.signed_at", time="")) and obs["second_after"][1]
    assert obs["signed_name"] in obs["sign_message"] and obs["lesson"] in obs["sign_message"]
    assert rows(data_dir, "SELECT count(*) FROM sign_in WHERE method = 'staff'") == [(1,)]


def test_tapping_another_lesson_shows_its_own_missing_list(morning):
    obs, _ = morning
    assert obs["other_lesson"] in obs["other_title"]
    assert obs["other_rows"] == obs["other_core"]


def test_a_usb_keyboards_letters_reach_the_search_and_a_scan_is_still_a_card(morning):
    obs, _ = morning
    assert obs["hits_typed"] and len(obs["hits_typed"]) <= 10  # two letters, as Kivy's SDL window sends keys
    assert "DM0001" in obs["hits_whole"]  # the third came as a real key press through the X server
    assert obs["search_after_scan"] == obs["initials"]  # the card's token never landed in the search
    assert obs["screen_after_scan"] != "staff_members"  # the scan was read as a card


def test_a_waitlist_place_is_cancelled_with_its_own_words(morning):
    obs, _ = morning
    (row,) = [r for r in obs["course_rows"] if r[0].startswith(obs["waitlisted_course"])]
    assert row[1] == t("staff.member.withdraw_waitlisted")
    assert all(r[1] == t("staff.member.withdraw_enrolled") for r in obs["course_rows"] if r is not row)


def test_redeeming_offers_only_what_the_balance_allows_and_confirms_in_one_line(morning):
    obs, data_dir = morning
    balance = obs["balance"]
    assert str(balance) in obs["redeem_question"]
    offered = obs["redeem_choices"][:-1]
    assert obs["redeem_choices"][-1] == t("staff.member.other_amount")
    assert offered == [t("staff.member.points", n=n) for n in (5, 10, 20, 30, 50, 100, 200) if n <= balance]
    assert obs["ok_when_too_much"] and not obs["ok_for_three"]
    assert obs["confirm_question"] == t(
        "staff.member.redeem_confirm", name=obs["member_name"], n=3, what=t("ledger.reason.gift")
    )
    assert obs["confirm_buttons"] == [t("staff.member.redeem_yes")]
    assert obs["balance_before_confirm"] == balance  # nothing deducted before 确定兑换
    assert obs["balance_after"] == balance - 3 and str(balance - 3) in obs["redeem_message"]
    last = """SELECT p.amount FROM points_entry p JOIN member m ON m.id = p.member_id
        WHERE m.member_no = 'DM0001' AND p.kind = 'redeem' ORDER BY p.id DESC LIMIT 1"""
    assert rows(data_dir, last) == [(-3,)]


def test_printing_a_card_shows_a_busy_state_then_words_without_a_path(morning):
    obs, _ = morning
    assert obs["print_busy"] == [True, t("staff.member.printing")]
    assert obs["print_done"] == [t("staff.member.printed"), False]
    working, said, problem = obs["print_nowhere"]
    assert (working, said, problem) == (False, t("staff.member.print_nowhere"), True)
    assert obs["sheets_after"] == obs["sheets_before"]  # nothing made that nobody can print
    assert all("/" not in m for m in (obs["print_busy"][1], obs["print_done"][0], said))


def test_a_newcomers_course_step_opens_the_picker_with_each_courses_day_and_time(morning):
    obs, _ = morning
    assert obs["picker_screen"] == "staff_member" and obs["picker_question"] == t("staff.member.enrol_what")
    for choice in obs["picker_choices"]:
        name = choice.split("　")[0]
        assert obs["course_slots"][name] in choice
