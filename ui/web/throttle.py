"""Sign-in throttling: after a few wrong passwords an account, and after more an address, has to wait, doubling
each time it fails again.

Attempts for one account or from one address are checked one at a time (an asyncio lock per key), so a burst of
parallel guesses is counted in full instead of racing past the limit while the first hashes run. Failures older than
``WINDOW_S`` are forgotten; a correct password clears the account's count (not the address's: one's own account must
not reset a guessing run against others). Everything is in memory: a restart forgets it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

Key = tuple[str, str]  # ("user", name) or ("address", host)

LIMITS = {"user": 5, "address": 30}  # failures allowed before the first wait
WINDOW_S = 15 * 60.0
FIRST_WAIT_S = 30.0
MAX_WAIT_S = 15 * 60.0
_MAX_RECORDS = 10_000  # beyond this, forgotten failures are pruned


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class Throttle:
    def __init__(self, limits: dict[str, int] | None = None, first_wait_s: float = FIRST_WAIT_S) -> None:
        self.limits = limits or LIMITS
        self.first_wait_s = first_wait_s
        self._failures: dict[Key, _Failures] = {}
        self._locks: dict[Key, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, keys: Sequence[Key]) -> AsyncIterator[None]:
        """Hold the sign-in turn for every key (always taken in the same order, so two attempts cannot deadlock)."""
        locks = [self._take(key) for key in keys]
        try:
            async with AsyncExitStack() as stack:
                for lock in locks:
                    await stack.enter_async_context(lock)
                yield
        finally:
            for key in keys:
                self._give(key)

    def wait_s(self, keys: Sequence[Key]) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = time.monotonic()
        return max((self._failures[k].locked_until - now for k in keys if k in self._failures), default=0.0)

    def failed(self, keys: Sequence[Key]) -> None:
        now = time.monotonic()
        if len(self._failures) > _MAX_RECORDS:
            self._prune(now)
        for key in keys:
            record = self._failures.setdefault(key, _Failures())
            if now - record.last > WINDOW_S:
                record.count = 0
            record.count, record.last = record.count + 1, now
            over = record.count - self.limits[key[0]]
            if over >= 0:
                record.locked_until = now + min(MAX_WAIT_S, self.first_wait_s * 2 ** min(over, 16))

    def succeeded(self, key: Key) -> None:
        self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, r in self._failures.items() if now - r.last > WINDOW_S and r.locked_until < now]:
            del self._failures[key]

    def _take(self, key: Key) -> asyncio.Lock:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        return lock

    def _give(self, key: Key) -> None:
        lock, users = self._locks[key]
        if users == 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)
