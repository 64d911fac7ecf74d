"""Lines under a staff page's choices — the files an export wrote, the rows an import must fix —
paged to fit the space they have, a long line wrapping, never scrolling."""

from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens import kv
from screens.widgets import FlowText, Text


class OutLine(FlowText):
    """One line: a file written, a row to fix."""


class LinesPane(BoxLayout):
    title = StringProperty("")
    lines = ListProperty([])

    def show(self, title: str, lines: list[str]) -> None:
        self.title, self.lines = title, lines
        self.ids.pager.page = 0
        self.show_page()

    def show_page(self) -> None:
        """A page of the lines: as many as the box holds at its present size."""
        box, room, pager = self.ids.out, self.ids.room, self.ids.pager
        pages = paginate(self.lines, room.width, room.height)
        pager.pages = len(pages)
        pager.page = min(pager.page, pager.pages - 1)
        box.clear_widgets()
        for line in pages[pager.page]:
            box.add_widget(OutLine(text=line))

    def shown(self) -> list[str]:
        """The lines on the page shown now, top down."""
        return [line.text for line in reversed(self.ids.out.children)]

    def clear(self) -> None:
        self.title, self.lines = "", []
        self.ids.out.clear_widgets()


def paginate(lines: list[str], width: float, height: float) -> list[list[str]]:
    """The lines in pages that fit width × height, each line measured in the type it is shown in."""
    probe = Text(role="staff_text")  # unwrapped: one line as wide as the text
    pages, used = [[]], 0
    for line in lines:
        probe.text = line
        probe.texture_update()
        w, h = probe.texture_size
        rows = max(1, -(-int(w) // max(1, int(width * 0.95))))  # Kivy wraps at spaces: keep a margin
        if pages[-1] and used + rows * h > height:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += rows * h
    return pages


kv.load(__name__)
