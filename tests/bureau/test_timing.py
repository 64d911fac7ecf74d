"""Server-Timing on the console's responses (bureau/timing.py), on the real server."""

import re

import httpx


def test_console_responses_say_how_long_the_app_took(server):
    page = httpx.get(server.url + "/web/login")
    assert page.status_code == 200
    found = re.fullmatch(r"app;dur=([0-9]+\.[0-9])", page.headers["server-timing"])
    assert found and float(found.group(1)) > 0

    redirect = httpx.get(server.url + "/web/attendance")  # not signed in: the header is there too
    assert redirect.status_code == 303 and redirect.headers["server-timing"].startswith("app;dur=")

    assert "server-timing" not in httpx.get(server.url + "/v1/health").headers  # kiosks' API untouched
