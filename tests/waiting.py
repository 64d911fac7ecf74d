"""Waiting in tests for something another thread or process does: a poll with a deadline, never a
fixed sleep."""

import time

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
