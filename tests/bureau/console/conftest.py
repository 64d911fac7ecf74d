"""The console's tests share the bureau's fixtures (../conftest.py) and the web tests' browser."""

from tests.bureau.test_web import chromium  # noqa: F401  (a fixture: one headless Chromium per module)
