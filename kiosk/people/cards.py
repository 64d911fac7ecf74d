"""Printable A4 sheets of QR member cards (ten bank-card-sized cards a page, cut along the lines)."""

import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from kiosk.fonts import FontChain
from kiosk.i18n import t
from kiosk.identity import tokens
from kiosk.store.models import Member, Site

if TYPE_CHECKING:
    from fpdf import FPDF

CARD_W, CARD_H = 85.6, 54.0  # ISO/IEC 7810 ID-1, mm
COLS, ROWS = 2, 5
MARGIN_X = (210 - COLS * CARD_W) / 2
MARGIN_Y = (297 - ROWS * CARD_H) / 2


def qr_image(text: str):
    """A QR code image; level M survives a worn or partly covered card."""
    import qrcode  # here: it brings Pillow, ~7 MB of a kiosk's memory that seldom prints a card

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().get_image()


def members_for(numbers: list[str]) -> list[Member]:
    """The members named (in that order), or every active member; unknown numbers raise KeyError."""
    if not numbers:
        return list(Member.select().where(Member.active).order_by(Member.member_no))
    found = {m.member_no: m for m in Member.select().where(Member.member_no.in_(numbers))}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise KeyError(", ".join(missing))
    return [found[n] for n in numbers]


def render(settings: SimpleNamespace, members: list[Member], out: str | Path) -> int:
    """Write the card sheet PDF to `out`; returns the number of pages."""
    from fpdf import FPDF  # here: loading it takes 0.4 s, which every command would pay

    key = bytes.fromhex(settings.security.card_key)
    site = Site.get_or_none(Site.code == settings.site.code)
    site_name = site.name if site else settings.site.name
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("sc", fname=settings.display.font)
    pdf.add_font("sc", style="B", fname=settings.display.font_bold)
    # The screens' fallbacks (kiosk.fonts), regular only: a bold name takes the regular face for a
    # character the bold one lacks (exact_match=False) rather than dropping it.
    chain = FontChain(settings.display.font, settings.display.fallback_fonts)
    fallbacks = [f"fallback{i}" for i in range(len(chain.fonts) - 1)]
    for family, path in zip(fallbacks, chain.fonts[1:], strict=True):
        pdf.add_font(family, fname=path)
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    for n, member in enumerate(members):
        if n % (COLS * ROWS) == 0:
            pdf.add_page()
        col, row = n % COLS, (n // COLS) % ROWS
        _card(
            pdf,
            MARGIN_X + col * CARD_W,
            MARGIN_Y + row * CARD_H,
            member,
            site_name,
            tokens.make(member.member_no, member.card_issue, key),
        )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return pdf.pages_count


def send_to_printer(command: list[str], path: str | Path, timeout: float = 60) -> str:
    """Run the print command with the sheet's path appended: "" when it worked, else why not (the
    printer's own words when it gave any).  A stuck printer is given up after `timeout` seconds."""
    try:
        done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        return t("cards_staff.printer_missing", command=command[0])
    except subprocess.TimeoutExpired:
        return t("cards_staff.printer_timeout", seconds=f"{timeout:g}")
    except OSError as e:
        return t("cards_staff.printer_failed", code="-", error=e.strerror or str(e))
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        return t("cards_staff.printer_failed", code=done.returncode, error=said[-1] if said else "")
    return ""


def _card(pdf: "FPDF", x: float, y: float, member: Member, site_name: str, token: str) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, CARD_W, CARD_H)  # the cutting line
    pdf.set_fill_color(178, 34, 34)
    pdf.rect(x, y, CARD_W, 9, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("sc", "B", 11)
    pdf.set_xy(x + 3, y + 1.5)
    pdf.cell(CARD_W - 6, 6, t("cards.title"))
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("sc", "", 7.5)
    pdf.set_xy(x + 3, y + 11)
    pdf.cell(44, 4, site_name)
    pdf.set_font("sc", "B", 20)
    pdf.set_xy(x + 3, y + 18)
    pdf.cell(44, 10, member.name)
    pdf.set_font("sc", "", 10)
    pdf.set_xy(x + 3, y + 30)
    pdf.cell(44, 5, t("cards.number", number=member.member_no))
    pdf.set_font("sc", "", 7)
    pdf.set_xy(x + 3, y + 45)
    pdf.cell(44, 4, t("cards.hint"))
    pdf.set_font("sc", "", 5.5)
    pdf.set_xy(x + 3, y + 49)
    pdf.cell(44, 3, token)  # for typing by hand when no scanner works
    size = 36
    pdf.image(qr_image(token), x=x + CARD_W - size - 2.5, y=y + 11.5, w=size, h=size)
