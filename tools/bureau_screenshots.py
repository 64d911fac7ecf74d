"""Screenshots of the bureau staff's web page, in headless Chromium (Debian's, never a download).

    python -m tools.bureau_screenshots [OUT]     a demo bureau, served on loopback, shot into OUT
                                           (default docs/screenshots): bureau_<page>.png

shoot() is what the tests call on their own server; main() makes a demo bureau of its own in a
temporary folder: two sites, three kiosks, a staff user, and facts pushed through the real
service, as kiosks send them, which the bureau's rules turn into the figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
from uuid6 import uuid7

from contract import signing
from tools.checkout import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGES = {
    "login": "/web/login",
    "overview": "/web/",
    "attendance": "/web/attendance",
    "care_sites": "/web/care",  # every site: how many each list holds (a site's list: tests/…/test_care.py)
    "kiosks": "/web/kiosks",
    "points": "/web/points",
}
VIEWPORT = {"width": 1280, "height": 900}


@contextmanager
def browser():
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def sign_in(page, url: str, username: str, password: str) -> None:
    """Fill in and send the login form, as a member of staff does."""
    page.goto(url + PAGES["login"])
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def shoot(url: str, username: str, password: str, out: Path, chromium=None) -> list[Path]:
    """bureau_<page>.png of every page of the bureau at `url`, signed in as `username` (in the
    browser `chromium` when given, else in one started for this)."""
    if chromium is None:
        with browser() as chromium:
            return shoot(url, username, password, out, chromium)
    out.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport=VIEWPORT, locale="zh-CN")
    try:
        page.goto(url + PAGES["login"])
        shots = [shot(page, out, "login")]
        sign_in(page, url, username, password)
        for name, path in PAGES.items():
            if name != "login":
                page.goto(url + path)
                shots.append(shot(page, out, name))
        return shots
    finally:
        page.close()


def shots_dir(default: Path) -> Path:
    """Where a test keeps the console's screenshots: $BUREAU_SHOTS (docs/screenshots, to refresh
    them), else `default` (the test's own folder)."""
    out = Path(os.environ.get("BUREAU_SHOTS") or default)
    out.mkdir(parents=True, exist_ok=True)
    return out


def shot(page, out: Path, name: str) -> Path:
    page.wait_for_load_state("networkidle")  # the served CJK font too, when the page needed it
    page.evaluate("document.fonts.ready")
    path = out / f"bureau_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- the demo bureau -------------------------------------------------------------------------------------

USER, PASSWORD = "zhangli", "demo-password-2026"
SITES = {"DEMO-001": "示范区老干部活动中心", "DEMO-002": "东城街道长者服务站"}
NAMES = ["王建华", "李秀英", "张志强", "刘桂兰", "陈国栋", "杨淑珍", "赵德明", "黄美玲", "周文斌", "吴玉梅"]
LESSONS = [("太极拳", 9), ("书法", 14), ("合唱团", 10)]
# The release each demo kiosk runs (its pushes' client_version): two updated, one not yet.
VERSIONS = ["0.2.0", "0.2.0", "0.1.0"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bureau_screenshots", description="the bureau's web pages of a demo bureau, as PNG files"
    )
    parser.add_argument(
        "out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots", help="the folder (default docs/screenshots)"
    )
    out = parser.parse_args(argv).out
    with tempfile.TemporaryDirectory(prefix="bureau-demo-") as folder:
        store = str(Path(folder) / "bureau.db")
        keys = _setup(store)
        with _served(store, Path(folder)) as url:
            pushed = []
            for (kiosk_id, key), version in zip(keys.items(), VERSIONS):
                pushed += _push(url, kiosk_id, key, _demo_facts(kiosk_id), version)
            _wait_for_rules(store, pushed)
            for path in shoot(url, USER, PASSWORD, out):
                print(path)
    return 0


def _bureau(store: str, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bureau", "--db", store, *args],
        input=stdin,
        text=True,
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def _setup(store: str) -> dict[str, str]:
    """Sites, kiosks and the staff user, made with the operator's commands; the kiosks' keys."""
    keys = {}
    for code, name in SITES.items():
        _bureau(store, "site", "add", code, name)
        for _ in range(2 if code == "DEMO-001" else 1):
            settings = _bureau(store, "kiosk", "add", "--site", code)
            kiosk_id = settings.split('id = "')[1].split('"')[0]
            keys[kiosk_id] = settings.split('key = "')[1].split('"')[0]
    _bureau(store, "user", "add", USER, "--password-stdin", stdin=PASSWORD + "\n")
    return keys


def _demo_facts(kiosk_id: str) -> list[tuple[str, dict]]:
    """Members registered at the kiosk's site, their sign-ins of the last weeks, a device."""
    site = kiosk_id.rsplit("-K", 1)[0]
    number = int(kiosk_id.rsplit("-K", 1)[1])
    prefix = f"{'DM' if site == 'DEMO-001' else 'DC'}{number}"
    today = date.today()
    facts = []
    for i, name in enumerate(NAMES[: 8 if number == 1 else 4]):
        member_no = f"{prefix}{i + 1:03d}"
        facts.append(
            (
                "member",
                {
                    "member_no": member_no,
                    "name": name,
                    "gender": "女" if i % 2 else "男",
                    "id_hash": f"{kiosk_id}-{i}".encode().hex(),
                    "phone_last4": f"{3300 + i * 7}",
                    "site": site,
                    "joined": (today - timedelta(days=120)).isoformat(),
                    "active": True,
                    "at": datetime.now().isoformat(timespec="seconds"),
                },
            )
        )
        for days_ago in range(0, 40 if i < 5 else 0, 3 + i):
            title, hour = LESSONS[(i + days_ago) % len(LESSONS)]
            start = datetime.combine(today - timedelta(days=days_ago), datetime.min.time()).replace(hour=hour)
            facts.append(
                (
                    "signin",
                    {
                        "member_no": member_no,
                        "kind": "lesson",
                        "item_id": 1,
                        "title": title,
                        "start": start.isoformat(),
                        "at": (start - timedelta(minutes=5)).isoformat(),
                        "method": "qr" if days_ago % 2 else "idcard",
                        "kiosk_id": kiosk_id,
                        "site": site,
                    },
                )
            )
    if number == 2:  # a gift handed out before the points were earned
        facts.append(
            (
                "points",
                {
                    "member_no": f"{prefix}001",
                    "amount": -30,
                    "kind": "redeem",
                    "rule": "redeem",
                    "reason": "兑换保温杯",
                    "at": datetime.now().isoformat(timespec="seconds"),
                    "kiosk_id": kiosk_id,
                    "site": site,
                },
            )
        )
    state = "ok" if number == 1 else "absent"
    facts.append(
        (
            "device",
            {
                "device": "身份证读卡器",
                "kind": "idcard",
                "port": "/dev/ttyUSB0",
                "state": state,
                "reads": 412,
                "faults": 0 if state == "ok" else 3,
                "disconnects": 0 if state == "ok" else 2,
                "last_error": "" if state == "ok" else "串口无响应",
                "at": datetime.now().isoformat(),
                "kiosk_id": kiosk_id,
                "site": site,
            },
        )
    )
    return facts


def _push(url: str, kiosk_id: str, key: str, facts: list[tuple[str, dict]], version: str) -> list[tuple[str, dict]]:
    """The facts as one signed push, as the kiosk's sync client sends them."""
    events = [
        {
            "event_id": str(uuid7()),
            "seq": seq,
            "kind": kind,
            "schema_v": 1,
            "wall_ms": int(time.time() * 1000),
            "payload": payload,
        }
        for seq, (kind, payload) in enumerate(facts, 1)
    ]
    body = json.dumps(
        {
            "kiosk_id": kiosk_id,
            "epoch": 1,
            "first_seq": 1,
            "last_seq": len(events),
            "client_version": version,
            "events": events,
        },
        ensure_ascii=False,
    ).encode()
    headers = {"X-Kiosk": kiosk_id, **signing.sign(key, "POST", "/v1/push", int(time.time()), body)}
    httpx.post(url + "/v1/push", content=body, headers=headers, timeout=60).raise_for_status()
    return facts


def _wait_for_rules(store: str, facts: list[tuple[str, dict]]) -> None:
    """Until the server's rules worker has turned every sign-in and device fact into its row."""
    from bureau.models import Attendance, DeviceState
    from bureau.schema import open_store
    from bureau.store import close_store

    want = (sum(kind == "signin" for kind, _ in facts), sum(kind == "device" for kind, _ in facts))
    open_store(store)
    try:
        deadline = time.monotonic() + 60
        while (Attendance.select().count(), DeviceState.select().count()) != want:
            if time.monotonic() > deadline:
                raise SystemExit("the bureau's rules did not process the demo facts within 60 s")
            time.sleep(0.1)
    finally:
        close_store()


@contextmanager
def _served(store: str, folder: Path):
    """`python -m bureau serve` on a free port of loopback, until the block ends."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(folder / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "bureau", "--db", store, "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the bureau did not start: see {folder / 'server.log'}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
