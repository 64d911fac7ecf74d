"""Waiting in tests for something another thread or process does: a poll with a deadline, never a
fixed sleep."""

import time
from functools import cache

import httpx
import pytest


def wait_until(condition, timeout: float, what: str):
    """Poll `condition` until it returns something true, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@cache
def _poller() -> httpx.Client:
    # One client for every poll of a process: httpx.get makes a new one per call, SSL context and
    # CA bundle included, ~50 ms of CPU a poll, more than the 20 ms between polls, taken from the
    # server that is starting.  No connection kept: the next poll may find another process there.
    return httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))


def answers(url: str, timeout: float = 1) -> bool:
    """Whether GET `url` answers 200 (False while nothing listens there yet)."""
    try:
        return _poller().get(url, timeout=timeout).status_code == 200
    except httpx.TransportError:
        return False
