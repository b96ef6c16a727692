"""Lookups shared by the requests that ask the same thing at the same time.

A burst of commands from one person, naming the same people, used to ask Slack and Feishu the same
question once per command: fifty `users.info` for @alice, fifty `batch_get_id` for her email, all at
once, each request waiting for its own answer (and the platform counting each against its limit).
`Shared.get(key, look_up)` asks once: the first request runs `look_up`, the others wait for its
answer, or its error. If the first is cancelled, a waiting one asks again.

`aside`: a context manager around the wait (bot/app.py passes bot/core/request/admission.outside: a
request waiting for another's lookup lends its turn, as it would waiting on the platform itself).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

T = TypeVar("T")

Aside = Callable[[], AbstractAsyncContextManager[Any]]


class Shared(Generic[T]):
    def __init__(self, aside: Aside = contextlib.nullcontext) -> None:
        self.aside = aside
        self._asking: dict[Hashable, asyncio.Future[T]] = {}

    async def get(self, key: Hashable, look_up: Callable[[], Awaitable[T]]) -> T:
        while (asking := self._asking.get(key)) is not None:
            async with self.aside():
                await asyncio.wait({asking})
            if not asking.cancelled():  # cancelled: the request asking went away; ask again
                return asking.result()  # or raise what the lookup raised
        asking = self._asking[key] = asyncio.get_running_loop().create_future()
        try:
            found = await look_up()
        except Exception as err:
            asking.set_exception(err)
            asking.exception()  # marked as retrieved: with nobody waiting it is no "never retrieved" error
            raise
        except BaseException:  # cancelled (or the process stopping): whoever waits asks again
            asking.cancel()
            raise
        finally:
            if self._asking.get(key) is asking:
                del self._asking[key]
        asking.set_result(found)
        return found
