"""Colours and sizes of every screen (docs/senior-ui.md §2.1–§2.2: T-1, T-2, T-4, L-1, L-2).

Sizes are millimetres on the panel, turned into pixels with display.px_per_mm: Kivy's dp() is
not a physical unit on a Linux kiosk (docs/senior-ui.md §4.2).  Plain Python, so it is tested without a
display.
"""
# -- colours ------------------------------------------------------------------------------------

PAPER = "#FAF8F3"  # page background: a warm white glares less than pure white
INK = "#1A1A1A"  # body text
INK_SOFT = "#3D3D3D"  # secondary text; never lighter than #525252 (T-4)
WHITE = "#FFFFFF"
NAVY = "#0B3A66"  # header band, prompt, buttons
NAVY_DOWN = "#05203A"  # a button while pressed
TINT = "#DCE6F2"  # an option button while pressed
RULE = "#8A8A8A"  # thin separating lines (no text on them)
NOTE = "#FFF4D6"  # a gentle note's background (a missed lesson, good news)
NIGHT = "#000000"  # outside opening hours: a dark screen saves the panel
NIGHT_INK = "#A6A6A6"  # ... with the clock and hours still legible on it

# One colour per result kind; the words and icon differ too, so colour is never the only signal (T-5).
STATUS = {
    "ok": "#1B5E20",  # green
    "already": "#0D47A1",  # blue
    "not_due": "#5D4037",  # brown
    "not_enrolled": "#4A148C",  # purple
    "unknown_card": "#9B1C1C",  # red
    "invalid_card": "#880E4F",  # crimson
    "expired_card": "#7A3500",  # burnt orange
    "error": "#37474F",  # slate
}

# Every (text or icon colour, background) pair drawn on screen; each must reach 7:1 (T-4, AAA).
PAIRS = (
    [
        (INK, PAPER),
        (INK_SOFT, PAPER),
        (WHITE, NAVY),
        (WHITE, NAVY_DOWN),
        (NAVY, PAPER),
        (NAVY, WHITE),
        (INK, WHITE),
        (INK, TINT),
        (INK, NOTE),
        (INK_SOFT, NOTE),  # a notice's end on its band (screens/senior/notice.kv)
        (NIGHT_INK, NIGHT),
    ]
    + [(WHITE, c) for c in STATUS.values()]  # word and name on the status band
    + [(c, WHITE) for c in STATUS.values()]  # the icon's glyph on its white disc
    + [(c, PAPER) for c in STATUS.values()]
)  # the points figure below the band

MIN_CONTRAST = 7.0

# The named colours as theme attributes (theme.ink, theme.navy, ...) for the .kv files.
COLOURS = {
    "paper": PAPER,
    "ink": INK,
    "ink_soft": INK_SOFT,
    "white": WHITE,
    "navy": NAVY,
    "navy_down": NAVY_DOWN,
    "tint": TINT,
    "rule": RULE,
    "note": NOTE,
    "night": NIGHT,
    "night_ink": NIGHT_INK,
}


def rgba(colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    """ "#RRGGBB" as Kivy's (r, g, b, a) in 0..1."""
    h = colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgba(colour)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1..21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# -- sizes --------------------------------------------------------------------------------------

# Millimetres.  Type sizes are the em size.  Floors: body text 10 mm (T-1); key figures such as
# the name, the result word and the balance 20 mm (T-2); buttons 20 x 20 mm (L-1); gaps 5 mm (L-2).
SIZES_MM = {
    "body": 11,  # schedule rows, small print
    "detail": 12,  # home schedule rows, option details
    "heading": 14,  # headings, titles, button words
    "figure": 20,  # the name, the balance, the home prompt
    "word": 24,  # the result word: 签到成功
    "clock": 36,
    "balance": 36,  # the points balance on 「我的积分」
    "gap": 6,  # between targets and blocks
    "pad": 10,  # screen margins
    "button_h": 26,
    "button_w": 90,
    "option_h": 44,  # an option button: title and time on two lines
    "icon": 52,
    "stroke": 5,  # line width of icon glyphs
    "border": 1.5,  # outline of option buttons
    "radius": 3,
    # Staff pages: denser than the seniors' screens (staff read them at arm's length, often), and
    # the PIN pad's keys above I-5's 15 mm.
    "staff_text": 7,
    "staff_title": 9,
    "staff_button_h": 16,
    "staff_row_h": 15,
    # Long lists (未到, search hits): 10 rows a page on the 1080-line panel, each row's button
    # 5 mm from the next, as L-2 asks of the seniors' targets (a quick tap never hits a neighbour).
    "staff_list_row_h": 14,
    "staff_gap": 5,
    "staff_key": 24,
}
KEY_FIGURES = ("figure", "word", "clock", "balance")
# Type that grows for a senior who chose 「大字」; the clock and the gaps keep their size.
TEXT_SIZES = ("body", "detail", "heading", "figure", "word", "balance")
# Boxes made for the type they hold grow with it, so 「大字」 never outgrows them (issue 19).  Only
# sizes no subclass or instance rule sets again: a base rule bound to a changing size would set
# it back over theirs.  Bands and buttons elsewhere grow through theme.<role>_line / theme.line().
BOX_SIZES = ("option_h",)

# Kivy's line_height multiplies the font's own line box, which for Noto Sans CJK is already
# 1.448 em (hhea ascent + descent): lines are 1.448 em apart, above T-3's 1.3.  More would only
# push single lines off the centre of their boxes.
LINE_HEIGHT = 1.0
MIN_LINE_SPACING_EM = 1.3  # T-3
LINE_BOX_EM = 1.448  # one line of Noto Sans CJK (hhea ascent + descent) at LINE_HEIGHT: a band's floor

# The floors the layout check holds every screen to (tools/layoutcheck.py), in millimetres:
# (smallest side of a touch target, clear space between two targets).  Seniors': L-1 and L-2;
# staff pages: a dense list row's height (staff_list_row_h: 10 rows a page on a busy morning)
# and the pads' key spacing.
FLOORS_MM = {"senior": (20, 5), "staff": (14, 2)}
