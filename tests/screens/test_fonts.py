"""Rare characters in members' names render from the bundled fonts (T-6, T-7; no display needed)."""

import ast
import tomllib

import pytest

from kiosk import config, demo
from kiosk.fonts import FontChain, cmap
from tools.checkout import ROOT

SETTINGS = config.load()
CHAIN = FontChain(SETTINGS.display.font, SETTINGS.display.fallback_fonts)
NAMES = [m["name"] for m in demo.read(SETTINGS.site.demo_data)["members"]]


def test_the_demo_has_the_rare_character_names():
    assert "王𠮷祥" in NAMES and "龚𪚥" in NAMES


@pytest.mark.parametrize("name", ["王𠮷祥", "龚𪚥"])
def test_rare_names_have_glyphs_in_the_bundled_fonts(name):
    assert CHAIN.missing(name) == []


def test_every_demo_name_has_glyphs():
    assert [n for n in NAMES if CHAIN.missing(n)] == []


def test_the_fallback_font_is_what_draws_U_2A6A5():
    # Noto Sans CJK lacks it (Level 2 only); without the fallback it would be an empty box.
    assert 0x2A6A5 not in cmap(SETTINGS.display.font)
    assert CHAIN.font_for("\U0002a6a5") == SETTINGS.display.fallback_fonts[0]


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    return list(node) if isinstance(node, list) else [node]


def test_every_ui_message_is_drawn_by_the_main_font():
    path = ROOT / "kiosk" / "messages" / f"{SETTINGS.kiosk.language}.toml"
    catalog = tomllib.loads(path.read_text(encoding="utf-8"))
    words = "".join(s for group in ("result", "home", "choose", "screen", "format") for s in _strings(catalog[group]))
    main = cmap(SETTINGS.display.font)
    assert [ch for ch in set(words) if not ch.isspace() and ord(ch) not in main] == []


def test_name_markup_wraps_only_the_rare_character_in_the_fallback_font():
    from screens.typeface import markup

    fallback = SETTINGS.display.fallback_fonts[0]
    assert markup(CHAIN, "龚𪚥") == f"龚[font={fallback}]𪚥[/font]"
    assert markup(CHAIN, "王*华") == "王*华"
    assert markup(CHAIN, "[b]王&") == "&bl;b&br;王&amp;"  # names cannot inject markup


def test_register_makes_the_sc_font_kivys_default():
    from kivy.config import Config
    from kivy.core.text import DEFAULT_FONT, LabelBase

    from screens.typeface import register

    register(SETTINGS)
    default = ast.literal_eval(Config.get("kivy", "default_font"))
    assert default[1] == SETTINGS.display.font and default[3] == SETTINGS.display.font_bold
    assert LabelBase._fonts[DEFAULT_FONT][0] == SETTINGS.display.font
