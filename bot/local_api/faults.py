"""Fault injection for the local Bot API: Telegram failing the way it fails in production.

A :class:`Faults` plan is the server's :attr:`~bot.local_api.LocalBotApi.interceptor`. It fails
calls with flood control (429 with ``retry_after``), server errors (500, 502), timeouts (the
request is held until the client gives up), dropped connections (closed without a response) and
slow answers, either scripted ("the next 3 ``sendMessage`` calls get 429") or at random with a
seed, so that every run injects the same faults in the same order.

A fault can also hit a call that *took effect*: the message is delivered, or the updates handed
out, and only the response is lost. That is the unknown outcome after which a client that retries
may repeat itself, and what an outbox must be proved against.

Example::

    faults = Faults().install(api)
    faults.next("sendMessage", Fault("429", retry_after=1), times=3)

    Faults(rate=0.2, kinds=["502", "drop"], methods=["sendMessage"], seed=7).install(api)

"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Self, get_args

from aiohttp import web

from bot.local_api.errors import ApiError, forbidden, too_many_requests
from bot.local_api.params import Params
from bot.local_api.state import ApiCall

if TYPE_CHECKING:
    from bot.local_api.methods import BotApiMethods
    from bot.local_api.server import LocalBotApi

FaultKind = Literal["403", "429", "500", "502", "timeout", "drop", "slow"]
"""What goes wrong: the user blocked the bot, flood control, an internal error, a bad gateway, a
request held past the client's timeout and then dropped, a connection closed without a
response, a late answer."""

FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

# Longer than any client read timeout in use (python-telegram-bot's default is 5 s, a long poll
# adds its own timeout); the hold ends early when the client gives up and closes the connection.
DEFAULT_HOLD_SECONDS = 60.0
DEFAULT_SLOW_SECONDS = 0.5
# Telegram's own descriptions, which python-telegram-bot puts in the exceptions it raises.
_DESCRIPTIONS = {"500": "Internal Server Error", "502": "Bad Gateway"}


@dataclass(frozen=True)
class Fault:
    """One injected failure.

    Args:
        kind: What goes wrong.
        retry_after: For ``"429"``: the seconds Telegram asks the client to wait.
        seconds: For ``"timeout"``: the longest hold (the client normally gives up first); for
            ``"slow"``: the delay before answering. Defaults to 60 and 0.5.
        processed: For ``"500"``, ``"502"``, ``"timeout"`` and ``"drop"``: the call takes effect
            (the message is sent, the updates handed out) before its response is lost.

    Raises:
        ValueError: If the kind is unknown or an option does not fit it.

    """

    kind: FaultKind
    retry_after: int = 1
    seconds: float | None = None
    processed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {FAULT_KINDS}")
        if self.retry_after < 1:
            raise ValueError("retry_after is a whole number of seconds, at least 1")
        if self.seconds is not None and self.seconds < 0:
            raise ValueError("seconds cannot be negative")
        if self.processed and self.kind in ("403", "429", "slow"):
            # Flood control refuses a call; a slow answer is an answer.
            raise ValueError(f"a {self.kind!r} fault cannot follow a processed call")

    @property
    def duration(self) -> float:
        """How long the fault holds the request, in seconds."""
        if self.seconds is not None:
            return self.seconds
        return {"timeout": DEFAULT_HOLD_SECONDS, "slow": DEFAULT_SLOW_SECONDS}.get(self.kind, 0.0)


@dataclass(frozen=True)
class Injected:
    """A fault as it was injected into one call."""

    call: ApiCall
    fault: Fault


class Faults:
    """A seedable plan of faults, used as the local Bot API's interceptor.

    Scripted faults (:meth:`next`) come first, in order, for the calls of their method; other
    calls of ``methods`` fail with probability ``rate``, with a kind drawn from ``kinds``.

    Args:
        rate: The chance, from 0 to 1, that a call not scripted fails.
        kinds: The faults drawn from at random, as faults or as kinds with default options.
        methods: The methods (case-insensitive) that may fail at random; all if omitted.
        seed: Seeds the draws, so a run can be repeated exactly.
        limit: The most random faults to inject, so that a test using them ends.

    Raises:
        ValueError: If ``rate`` is not between 0 and 1, or random faults have no kinds.

    """

    def __init__(
        self,
        *,
        rate: float = 0.0,
        kinds: Sequence[Fault | FaultKind] = ("429", "502", "drop"),
        methods: Iterable[str] | None = None,
        seed: int = 0,
        limit: int | None = None,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate is a probability, from 0 to 1")
        if rate and not kinds:
            raise ValueError("random faults need at least one kind")
        self.rate = rate
        self.kinds = [kind if isinstance(kind, Fault) else Fault(kind) for kind in kinds]
        self.methods = None if methods is None else frozenset(m.lower() for m in methods)
        self.limit = limit
        self.injected: list[Injected] = []
        """Every fault injected, oldest first."""
        self._random = random.Random(seed)
        self._random_count = 0
        self._scripted: dict[str, deque[Fault]] = {}
        self._methods: BotApiMethods | None = None

    def install(self, api: LocalBotApi) -> Self:
        """Make this plan ``api``'s interceptor, replacing any other; returns the plan."""
        self._methods = api.methods
        api.interceptor = self
        return self

    def next(self, method: str, fault: Fault | FaultKind, *, times: int = 1) -> Self:
        """Fail the next ``times`` calls of ``method`` with ``fault``, after those already queued.

        Returns:
            The plan, so that a sequence reads as one expression.

        """
        queued = self._scripted.setdefault(method.lower(), deque())
        queued.extend([fault if isinstance(fault, Fault) else Fault(fault)] * times)
        return self

    def scripted(self, method: str) -> int:
        """How many scripted faults wait for calls of ``method``."""
        return len(self._scripted.get(method.lower(), ()))

    def clear(self) -> None:
        """Inject nothing more: forget scripted faults and stop random ones."""
        self._scripted.clear()
        self.rate = 0.0

    def of(self, method: str) -> list[Injected]:
        """The faults injected into calls of ``method`` (case-insensitive), oldest first."""
        return [done for done in self.injected if done.call.method.lower() == method.lower()]

    async def __call__(self, call: ApiCall, request: web.Request) -> web.StreamResponse | None:
        """Inject the fault planned for ``call``, if any (the :data:`Interceptor` protocol).

        Returns:
            ``None`` to let the call through (also after a slow answer's delay).

        Raises:
            ApiError: For flood control and server errors, answered as Telegram answers them.

        """
        fault = self._choose(call.method.lower())
        if fault is None:
            return None
        self.injected.append(Injected(call, fault))
        if fault.processed:
            await self._process(call, request)
        match fault.kind:
            case "403":
                raise forbidden("bot was blocked by the user")
            case "429":
                raise too_many_requests(fault.retry_after)
            case "500" | "502":
                raise ApiError(int(fault.kind), _DESCRIPTIONS[fault.kind])
            case "slow":
                await asyncio.sleep(fault.duration)
                return None
            case "timeout":
                # The server cancels this handler as soon as the client closes the connection.
                await asyncio.sleep(fault.duration)
                return await _drop(call, request)
            case "drop":
                return await _drop(call, request)

    def _choose(self, method: str) -> Fault | None:
        queued = self._scripted.get(method)
        if queued:
            return queued.popleft()
        if not self.rate or (self.methods is not None and method not in self.methods):
            return None
        if self.limit is not None and self._random_count >= self.limit:
            return None
        # Both draws are made for every eligible call, so a seed gives one sequence of faults
        # whatever the kinds.
        hit = self._random.random() < self.rate
        fault = self._random.choice(self.kinds)
        if not hit:
            return None
        self._random_count += 1
        return fault

    async def _process(self, call: ApiCall, request: web.Request) -> None:
        if self._methods is None:
            raise RuntimeError("a processed fault needs the plan installed with install(api)")
        handler = self._methods.find(call.method)
        if handler is None:
            return
        if request.content_type == "multipart/form-data":
            # The server read the uploads once already; read them again from the start.
            for value in (await request.post()).values():
                if isinstance(value, web.FileField):
                    value.file.seek(0)
        await handler(await Params.read(request))


async def _drop(call: ApiCall, request: web.Request) -> web.StreamResponse:
    call.error = "connection dropped"
    if request.transport is not None:
        request.transport.close()
    # The server cancels the handler when the connection is lost; this wait only bounds it.
    await asyncio.sleep(1.0)
    raise ConnectionResetError("the local Bot API dropped the connection")
