"""Small deliberately broken layouts for tools/layoutcheck.py, each in a box of its own:
python -m tests.tools.layout_cases prints {case: [violation kinds]} as JSON once they are drawn.
Run in a child process by test_layout.py (it opens a Kivy window)."""

import json

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk import config
from tools import layoutcheck

FONT = config.load().display.font
LIMITS = layoutcheck.Floors(target=80, gap=20)


def _text(text: str, size: tuple[int, int], **kwargs) -> Label:
    kwargs.setdefault("font_size", 40)
    return Label(text=text, font_name=FONT, size_hint=(None, None), size=size, **kwargs)


def _button(x: int, y: int, side: int = 100) -> Button:
    return Button(text="按", font_name=FONT, font_size=30, size_hint=(None, None), size=(side, side), pos=(x, y))


def _case(*widgets: Widget) -> Widget:
    box = Widget()
    for widget in widgets:
        box.add_widget(widget)
    return box


def _outside_parent() -> Widget:
    band = BoxLayout(size_hint=(None, None), size=(300, 40), pos=(10, 300))
    band.add_widget(_text("字", (300, 100)))  # the band does not grow with its text
    return _case(band)


CASES = {
    "fits": _case(
        _text("一行字", (300, 80), pos=(10, 10)),
        _text("第一行\n第二行", (300, 160), pos=(10, 100)),
        _button(400, 10),
        _button(400, 130),
    ),
    "too_small_box": _case(_text("这一行字比它的框宽得多", (200, 60), pos=(10, 10))),
    "lines_dropped": _case(
        _text("这一段字在框里要折成好几行才放得下", (200, 70), pos=(10, 10), text_size=(200, 70), valign="top")
    ),
    "shortened": _case(
        _text("这一行字太长只好用省略号结尾", (200, 70), pos=(10, 10), text_size=(200, 70), shorten=True)
    ),
    "outside_parent": _outside_parent(),
    "cramped": _case(_text("第一行\n第二行", (300, 200), pos=(10, 10), line_height=0.8)),
    "overlapping": _case(_button(10, 10), _button(60, 60)),
    "too_close": _case(_button(10, 10), _button(120, 10)),
    "too_small_target": _case(_button(10, 10, side=50)),
}


class Cases(App):
    def build(self):
        root = Widget()
        for case in CASES.values():
            root.add_widget(case)
        return root

    def on_start(self) -> None:
        Clock.schedule_once(self.inspect, 0.5)  # once the labels' textures are drawn

    def inspect(self, _dt) -> None:
        for case in CASES.values():
            for label in case.walk():
                if isinstance(label, Label):
                    label.texture_update()
        found = {
            name: sorted({v.kind for v in layoutcheck.inspect(name, [case], LIMITS)}) for name, case in CASES.items()
        }
        print("CASES " + json.dumps(found))
        self.stop()


if __name__ == "__main__":
    Window.size = (800, 600)
    Cases().run()
