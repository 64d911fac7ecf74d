"""Attempts a client may make, as a token bucket per client: `burst` at once, then `per_minute`.

The web login uses it per IP address (bureau/web.py): each attempt costs a scrypt hash (~0.3 s of
CPU and 128 MiB), so one client guessing passwords across many names would otherwise hold the
bureau's CPU.  The buckets live in the serving process: a restart forgets them, as it should.
"""

import threading
import time


class TokenBucket:
    MAX_CLIENTS = 10_000  # past this many, the buckets that are full again are forgotten

    def __init__(self, per_minute: float, burst: int):
        self.rate = per_minute / 60.0
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Spend one of `client`'s attempts: 0 if it had one, else the seconds until it has."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > self.MAX_CLIENTS:
                self._forget_full(now)
            return 0.0

    def _forget_full(self, now: float) -> None:
        full = [c for c, (tokens, at) in self._buckets.items() if tokens + (now - at) * self.rate >= self.burst]
        for client in full:
            del self._buckets[client]
