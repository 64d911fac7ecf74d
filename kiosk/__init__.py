"""The kiosk core: plain Python, no Kivy.  Screens call it and render what it returns."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("yinling-kiosk")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+checkout"
