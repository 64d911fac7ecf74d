"""Certificates as one printable PDF (docs/recognition.md): A4 landscape, one certificate a page —
the kind (全勤奖, 结业证书), the senior's name large, the course, the term, the centre (Site.name),
the date, a line for the centre's seal.

Type is the kiosk's own Noto Sans CJK SC (assets/fonts); a character it lacks, such as 𠮷 of
王𠮷祥 (CJK Extension B), is drawn with HanaMinB through fpdf2's fallback fonts, as the kiosk's
card sheets do (kiosk/people/cards.py; the bureau imports nothing of the kiosk, so the fonts are
named here).  HanaMinB (30 MB) takes ~2 s to load: it is loaded only when a text of the PDF has a
character the main font lacks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode

from bureau.recognition.rules import KINDS, CourseRecord

FONTS = Path(str(files("assets").joinpath("fonts")))
REGULAR, BOLD, RARE = (FONTS / n for n in ("NotoSansCJKsc-Regular.otf", "NotoSansCJKsc-Bold.otf", "HanaMinB.ttf"))
WIDTH, HEIGHT = 297, 210  # A4 landscape, mm
RED, GOLD, INK, MUTED = (166, 28, 28), (191, 144, 0), (33, 33, 33), (110, 110, 110)


@dataclass(frozen=True)
class Certificate:
    kind: str  # KINDS: full, graduation
    name: str
    member_no: str
    centre: str  # the site's name
    term: str
    course: str
    attended: int
    held: int
    day: date  # the date it is signed

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    @property
    def body(self) -> str:
        where = f"在{self.centre}{self.term}「{self.course}」课程学习中"
        if self.kind == "full":
            return f"{where}，{self.held} 节课全部出勤，荣获全勤奖。特发此证，以资鼓励。"
        return f"{where}，出勤 {self.attended} 节（共 {self.held} 节），完成学业，准予结业。特发此证。"


def of_records(records: Iterable[CourseRecord], kind: str, centre: str, day: date) -> list[Certificate]:
    """The certificates of `kind` for everyone who qualifies in `records`, course by course."""
    return [
        Certificate(kind, s.name, s.member_no, centre, r.course.term.name, r.course.title, s.attended, s.held, day)
        for r in records
        for s in r.qualifying(kind)
    ]


def render(certificates: list[Certificate]) -> bytes:
    """The certificates as one PDF, a page each (an empty list: one page saying so)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.add_font("sc", fname=str(REGULAR))
    pdf.add_font("sc", style="B", fname=str(BOLD))
    texts = "".join(c.name + c.body + c.centre for c in certificates)
    main = pdf.fonts["sc"].cmap.keys() & pdf.fonts["scB"].cmap.keys()
    if any(ord(ch) not in main for ch in set(texts)):
        pdf.add_font("rare", fname=str(RARE))
        pdf.set_fallback_fonts(["rare"], exact_match=False)
    pdf.set_title("证书")
    pdf.set_creator("银龄签到 管理中心")
    for certificate in certificates:
        _page(pdf, certificate)
    if not certificates:
        pdf.add_page()
        pdf.set_font("sc", "", 20)
        pdf.set_xy(0, 90)
        pdf.cell(WIDTH, 20, "没有符合条件的学员。", align="C")
    return bytes(pdf.output())


def _page(pdf: FPDF, c: Certificate) -> None:
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(10, 10, WIDTH - 20, HEIGHT - 20)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.rect(15, 15, WIDTH - 30, HEIGHT - 30)

    pdf.set_text_color(*RED)
    pdf.set_font("sc", "B", 46)
    pdf.set_char_spacing(12)
    pdf.set_xy(0, 30)
    pdf.cell(WIDTH, 22, c.title, align="C")
    pdf.set_char_spacing(0)

    pdf.set_text_color(*INK)
    pdf.set_font("sc", "B", 40)
    pdf.set_xy(0, 66)
    pdf.cell(WIDTH, 20, c.name, align="C")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    pdf.line(WIDTH / 2 - 55, 88, WIDTH / 2 + 55, 88)

    pdf.set_font("sc", "", 19)
    pdf.set_xy(45, 100)
    pdf.multi_cell(WIDTH - 90, 11, "　　" + c.body, align="L", wrapmode=WrapMode.CHAR)

    pdf.set_font("sc", "", 17)
    right = WIDTH - 45 - 90
    pdf.set_xy(right, 146)
    pdf.cell(90, 9, c.centre, align="C")
    pdf.set_xy(right, 157)
    pdf.cell(22, 9, "盖章：")
    pdf.line(right + 22, 164, right + 80, 164)
    pdf.set_xy(right, 168)
    pdf.cell(90, 9, f"{c.day.year}年{c.day.month}月{c.day.day}日", align="C")

    pdf.set_text_color(*MUTED)
    pdf.set_font("sc", "", 11)
    pdf.set_xy(28, 178)
    pdf.cell(100, 6, f"学号 {c.member_no}")
