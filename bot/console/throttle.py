"""Growing delays between failed password logins, per client address and for the whole console.

Never a lock on an account: anyone who knows a login name could otherwise keep its owner out.
Instead, after a few free failures, each further failure doubles the wait before the next try
(1 s, 2 s, 4 s … up to 15 minutes), counted per client address, whatever login names it tries,
and for all addresses together, so that guessing from many addresses slows down too. Failures are
forgotten an hour after they happened. A staff member kept waiting can still log in at once with
the one-time link that ``/console`` sends in Telegram.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

# The global count is shared by everyone: a clumsy morning in the township office should not
# slow down the console, a guessing campaign should.
ADDRESS_FREE = 3
GLOBAL_FREE = 30
FIRST_DELAY = timedelta(seconds=1)
LONGEST_DELAY = timedelta(minutes=15)
WINDOW = timedelta(hours=1)
ADDRESSES_KEPT = 10_000


@dataclass(frozen=True)
class Allowance:
    """How the throttle treats failures: how many are free, the first delay, the longest."""

    free: int
    first: timedelta = FIRST_DELAY
    longest: timedelta = LONGEST_DELAY

    def delay(self, failures: int) -> timedelta:
        """The wait after ``failures`` recent failures."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 30)
        return min(self.first * (1 << doublings), self.longest)


PER_ADDRESS = Allowance(ADDRESS_FREE)
OVERALL = Allowance(GLOBAL_FREE)


class _Failures:
    """The recent failures of one address (or of all), oldest first."""

    def __init__(self) -> None:
        self.times: deque[datetime] = deque()

    def forget_before(self, cutoff: datetime) -> None:
        while self.times and self.times[0] < cutoff:
            self.times.popleft()

    def wait(self, allowance: Allowance, now: datetime) -> timedelta:
        if not self.times:
            return timedelta(0)
        ready = self.times[-1] + allowance.delay(len(self.times))
        return max(ready - now, timedelta(0))


class LoginThrottle:
    """Failed password logins, and how long a client must wait before its next try.

    Args:
        per_address: The allowance of one client address.
        overall: The allowance of all addresses together.
        window: How long a failure counts.
        kept: At most this many addresses are remembered (the oldest are forgotten first).

    """

    def __init__(
        self,
        *,
        per_address: Allowance = PER_ADDRESS,
        overall: Allowance = OVERALL,
        window: timedelta = WINDOW,
        kept: int = ADDRESSES_KEPT,
    ) -> None:
        self._per_address = per_address
        self._overall = overall
        self._window = window
        self._kept = kept
        self._addresses: dict[str, _Failures] = {}
        self._all = _Failures()

    def wait(self, address: str, now: datetime) -> timedelta:
        """How long ``address`` must wait before trying a password; zero if it may now."""
        self._forget(now)
        own = self._addresses.get(address)
        if own is None:
            mine = timedelta(0)
        else:
            own.forget_before(now - self._window)
            mine = own.wait(self._per_address, now)
        return max(mine, self._all.wait(self._overall, now))

    def failed(self, address: str, now: datetime) -> None:
        """Count a failed login from ``address``."""
        self._forget(now)
        failures = self._addresses.pop(address, None) or _Failures()
        failures.forget_before(now - self._window)
        failures.times.append(now)
        # Re-inserted, so that the dict's order is the order of the latest failures.
        self._addresses[address] = failures
        self._all.times.append(now)
        while len(self._addresses) > self._kept:
            del self._addresses[next(iter(self._addresses))]

    def succeeded(self, address: str) -> None:
        """A correct password from ``address``: its own failures no longer count."""
        self._addresses.pop(address, None)

    def _forget(self, now: datetime) -> None:
        cutoff = now - self._window
        self._all.forget_before(cutoff)
        while self._addresses:
            oldest = next(iter(self._addresses))
            failures = self._addresses[oldest]
            failures.forget_before(cutoff)
            if failures.times:
                break
            del self._addresses[oldest]
