"""The layout check: walks the widgets on screen and names every place where the layout breaks
the rules of docs/senior-ui.md, so a screenshot that looks fine at a glance cannot hide them.

- text that does not fit its widget: wider or taller than its box, lines dropped, or cut short
  with … (shorten), or drawn outside a parent's box;
- multi-line text whose lines are closer than theme.MIN_LINE_SPACING_EM (T-3);
- touch targets smaller than their floor (L-1 for seniors' screens, the staff floor on staff
  pages) or closer to another target than the gap (L-2), overlapping included.

Used by the screenshot tour (tools/screenshots.py --check) after each shot; plain functions over
a widget tree, so the tests can feed it small broken widgets.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.widget import Widget

from screens.theme import FLOORS_MM, MIN_LINE_SPACING_EM

TOLERANCE = 1.0  # px: Kivy rounds positions and texture sizes to whole pixels
# A line of Noto Sans CJK is 1.448 em tall (theme.LINE_HEIGHT) with the glyphs' ink, Latin
# descenders included, within its middle 1.2 em: a box may cut this much of the empty leading
# above and below (valign middle cuts both alike), never the letters.
LEADING_SLACK_EM = 0.2
_TAGS = "b|i|u|s|font|font_context|font_family|font_features|color|size|ref|anchor|sub|sup|text_language"
_MARKUP = re.compile(rf"\[/?(?:{_TAGS})(?:=[^\]]*)?\]")

Box = tuple[float, float, float, float]  # left, bottom, right, top in window pixels


@dataclass(frozen=True)
class Floors:
    """What a screen's layout must keep, in pixels (target side, gap) and em (line pitch)."""

    target: float
    gap: float
    pitch_em: float = MIN_LINE_SPACING_EM


def floors(px_per_mm: float, staff: bool) -> Floors:
    target_mm, gap_mm = FLOORS_MM["staff" if staff else "senior"]
    return Floors(target_mm * px_per_mm, gap_mm * px_per_mm)


@dataclass(frozen=True)
class Violation:
    shot: str
    kind: str  # text_overflow, text_cut, text_outside_parent, line_pitch, target_small, target_gap
    widget: str  # class#id
    text: str
    detail: str

    def __str__(self) -> str:
        return f"{self.shot}: {self.kind} {self.widget} {self.text!r}: {self.detail}"


def inspect(shot: str, roots: Iterable[Widget], limits: Floors) -> list[Violation]:
    """Every violation among the visible widgets under `roots` (e.g. Window.children: the screen
    and any open popup).  Targets are compared within one root only: a popup covers the screen."""
    found: list[Violation] = []
    for root in roots:
        widgets = list(_visible(root))
        for label in (w for w in widgets if isinstance(w, Label) and w.text.strip()):
            found += _text(shot, label, limits)
        found += _targets(shot, [w for w in widgets if isinstance(w, ButtonBehavior)], limits)
    return found


# -- text ---------------------------------------------------------------------------------------


def _text(shot: str, label: Label, limits: Floors) -> list[Violation]:
    core = label._label
    found = []

    def bad(kind: str, detail: str) -> None:
        found.append(Violation(shot, kind, name(label), label.text, detail))

    inner_w, inner_h = core._internal_size  # the laid-out text, padding included
    tex_w, tex_h = label.texture_size
    need_w, need_h = max(inner_w, tex_w), max(inner_h, tex_h)
    slack = LEADING_SLACK_EM * core.options["font_size"]
    if need_w > label.width + TOLERANCE or need_h > label.height + slack + TOLERANCE:
        bad("text_overflow", f"text {need_w:.0f}x{need_h:.0f} px in a {label.width:.0f}x{label.height:.0f} px box")
    shown, full = _letters(_rendered(core)), _letters(_plain(label))
    if getattr(core, "is_shortened", False) or shown != full:
        bad("text_cut", f"shows {_rendered(core)!r}")
    # The text's own box: the texture (drawn centred on the label) less padding and leading.
    pad_l, pad_t, pad_r, pad_b = label.padding
    ink_w, ink_h = tex_w - pad_l - pad_r, tex_h - pad_t - pad_b - slack
    ink_x = label.center_x - tex_w / 2 + pad_l
    ink_y = label.center_y - tex_h / 2 + pad_b + slack / 2
    ink_box = _window_box(label, ink_x, ink_y, ink_w, ink_h)
    for parent in (p for p in _ancestors(label) if isinstance(p, Layout)):  # a plain Widget lays nothing out
        outer = _box(parent)
        if not _inside(ink_box, outer):
            bad("text_outside_parent", f"text at {_fmt(ink_box)} outside {name(parent)} at {_fmt(outer)}")
            break
    lines = [line for line in core._cached_lines if line.words]
    if len(lines) >= 2:
        pitch = min(line.h for line in lines) / core.options["font_size"]
        if pitch < limits.pitch_em - 0.005:
            bad("line_pitch", f"lines {pitch:.2f} em apart, under {limits.pitch_em} em")
    return found


def _rendered(core) -> str:
    return "".join(word.text for line in core._cached_lines for word in line.words)


def _plain(label: Label) -> str:
    if not label.markup:
        return label.text
    return _MARKUP.sub("", label.text).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def _letters(text: str) -> str:
    return "".join(text.split())


# -- targets ------------------------------------------------------------------------------------


def _targets(shot: str, targets: list[Widget], limits: Floors) -> list[Violation]:
    found = []
    boxes = [(t, _box(t)) for t in targets]
    for target, (left, bottom, right, top) in boxes:
        if min(right - left, top - bottom) < limits.target - TOLERANCE:
            found.append(
                Violation(
                    shot,
                    "target_small",
                    name(target),
                    _words(target),
                    f"{right - left:.0f}x{top - bottom:.0f} px, under {limits.target:.0f} px",
                )
            )
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            if _nested(a, b):
                continue
            gap = _gap(box_a, box_b)
            if gap < limits.gap - TOLERANCE:
                what = "overlap" if gap < 0 else f"{gap:.0f} px apart, under {limits.gap:.0f} px"
                found.append(
                    Violation(shot, "target_gap", f"{name(a)} / {name(b)}", f"{_words(a)} / {_words(b)}", what)
                )
    return found


def _gap(a: Box, b: Box) -> float:
    """The clear space between two boxes (negative when they overlap), as test_checklist's L-2."""
    return max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])


def _nested(a: Widget, b: Widget) -> bool:
    return a in _ancestors(b) or b in _ancestors(a)


def _words(widget: Widget) -> str:
    texts = [w.text for w in widget.walk(restrict=True) if isinstance(w, Label) and w.text.strip()]
    return " ".join(texts)


# -- the tree -----------------------------------------------------------------------------------


def _visible(root: Widget) -> Iterator[Widget]:
    """The widgets a person can see: not transparent (nor inside something transparent), with an
    area, on the window."""
    if root.opacity <= 0:
        return
    if root.width > 0 and root.height > 0 and _on_window(root):
        yield root
    for child in reversed(root.children):
        yield from _visible(child)


def _on_window(widget: Widget) -> bool:
    window = widget.get_root_window()
    if window is None:
        return False
    left, bottom, right, top = _box(widget)
    return right > 0 and top > 0 and left < window.width and bottom < window.height


def _ancestors(widget: Widget) -> list[Widget]:
    """The widget's parents up to (not including) the window."""
    chain = []
    parent = widget.parent
    while parent is not None and parent.parent is not None and parent is not parent.parent:
        chain.append(parent)
        parent = parent.parent
    return chain


def _box(widget: Widget) -> Box:
    return _window_box(widget, widget.x, widget.y, widget.width, widget.height)


def _window_box(widget: Widget, x: float, y: float, w: float, h: float) -> Box:
    left, bottom = widget.to_window(x, y)
    return left, bottom, left + w, bottom + h


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE
        and inner[1] >= outer[1] - TOLERANCE
        and inner[2] <= outer[2] + TOLERANCE
        and inner[3] <= outer[3] + TOLERANCE
    )


def _fmt(box: Box) -> str:
    return "({:.0f}, {:.0f})-({:.0f}, {:.0f})".format(*box)


def name(widget: Widget) -> str:
    """The widget's class and, when a rule named it, its id (the nearest one that does)."""
    for parent in [widget, *_ancestors(widget)]:
        for key, value in getattr(parent, "ids", {}).items():
            if value is widget or getattr(value, "__self__", None) is widget:
                return f"{type(widget).__name__}#{key}"
    return type(widget).__name__
