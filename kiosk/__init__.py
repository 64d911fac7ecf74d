"""The kiosk core: plain Python, no Kivy.  Screens call it and render what it returns."""
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
