"""The soak benchmark, run small: the real app under Xvfb signs in a few cards of each kind with a
real bureau, and every figure comes out, measured and sane."""

import re

from bench import soak

CARDS = 16


def test_a_short_day_prints_every_figure(capsys):
    figures = {f.name: f for f in soak.run(CARDS)}
    out = capsys.readouterr().out
    assert set(figures) == {
        "soak: RSS at home after start",
        "soak: RSS growth over the run",
        "soak: open fds start, warm → end",
        "soak: threads start, warm → end",
        "soak: sign-in p95 first → last",
        "soak: sign-ins",
        "soak: outbox at the end, bureau facts",
    }
    rss = float(figures["soak: RSS at home after start"].value.split()[0])
    assert 50 < rss < 2000
    fds = [int(n) for n in re.split(r", | → ", figures["soak: open fds start, warm → end"].value)]
    assert len(fds) == 3 and min(fds) > 3
    assert "soak: opened during the warm-up and still open:" in out and "soak: opened during the run" in out
    p95 = re.fullmatch(r"([\d.]+) → ([\d.]+) ms \(8 each\)", figures["soak: sign-in p95 first → last"].value)
    assert p95 and all(0 < float(ms) < 20_000 for ms in p95.groups())
    # Every card a real sign-in, every kind of read, a senior's screen, a staff visit.
    assert figures["soak: sign-ins"].ok and "100% signed in" in figures["soak: sign-ins"].value
    summary = re.search(r"soak: (\d+) sign-ins in .*, (\d+) seniors' screens, (\d+) staff visits", out)
    assert summary and summary.groups() == (str(CARDS), "2", "1")
    assert "idcard 7, qr_serial 6, wedge 3" in out and "results ok 16" in out
    # Every fact reached the bureau once.
    assert figures["soak: outbox at the end, bureau facts"].ok, figures["soak: outbox at the end, bureau facts"]
    samples = re.search(r"home-screen samples \(sign-ins: RSS MB / fds / threads\): (.*)", out).group(1).split()
    assert len(samples) == 2 * (CARDS + 1)  # "n:" "MB/fds/threads" at start and after each sign-in
