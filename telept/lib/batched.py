"""Database work of WebSocket consumers, run in batches off their frame path (Issue 17 item 4).

Why: `database_sync_to_async` runs every call on one thread (Django's connections are not
shared between threads), and a consumer awaiting it reads no next frame and delivers no
channel message meanwhile. At 500 visits a process has a heartbeat to write every 20 ms (one
a socket every 20 s), plus chat lines and quality events; each was its own thread hop and its
own commit, they queued behind one another, and so did the frames of every socket waiting.

`submit_item(bulk, item)` queues an item for a bulk function (chat lines, heartbeats: one
statement for all of a batch's items) and `submit(service, **kwargs)` a single call; each
returns a future. One flusher task per event loop takes everything queued, runs it on the
database thread in ONE transaction (each bulk function, and each single call, in its own
savepoint: a refusal rolls back that part only), commits once, sends what they published
(telept.lib.events, collected instead of sent from the thread), and settles each future
with its item's result or exception. While a batch runs, new items wait for the next one: at
low load a batch is one item and waits for nothing; under load batches grow and the
database commits less often. Few statements matter as much as few commits: the
database thread gives up the GIL around every statement and, while the event loop is busy,
waits up to the interpreter's switch interval (5 ms) to get it back, so at load a batch of
per-row statements took seconds.

Nothing is acknowledged before it is committed: a chat line reaches the room only once its
row is in, a heartbeat counts only once written. A crash loses only calls nobody was told
had happened. Calls that lock rows of other seats or of the visit (connect, admit, leave)
stay out of batches: a batch holds its locks until its one commit, and two processes'
batches locking in different orders could deadlock.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction

from telept.lib.events import Pending, collecting, send_collected

log = logging.getLogger(__name__)
MAX_BATCH = 200
# The database thread gives the GIL up around each statement and, while the event loop
# thread runs, gets it back only when the loop is made to yield it: after the switch
# interval, 5 ms by default, every time. A process serving sockets waits 1 ms instead.
SWITCH_INTERVAL_SECONDS = 0.001
sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_SECONDS))

Outcome = tuple[bool, Any]  # (True, result) or (False, exception)
Bulk = Callable[[list[Any]], list[Any]]  # items -> a result or an exception per item


def _each(calls: list[tuple[Callable[..., Any], dict[str, Any]]]) -> list[Any]:
    """Calls that have no bulk form: one by one, each in its own savepoint."""
    results: list[Any] = []
    for service, kwargs in calls:
        try:
            with transaction.atomic():
                results.append(service(**kwargs))
        except Exception as exc:  # noqa: BLE001 - goes to that call's caller
            results.append(exc)
    return results


def run_batch(groups: list[tuple[Bulk, list[Any]]]) -> tuple[list[list[Outcome]], Pending]:
    """On the database thread: every group in one transaction, each in a savepoint (a bulk
    function that fails fails its own items only). A bulk function returns, per item, a
    result or an exception (that item refused). Returns the outcomes per group and the
    events they published, to send once committed."""
    outcomes: list[list[Outcome]] = []
    with collecting() as pending:
        try:
            with transaction.atomic():
                for bulk, items in groups:
                    if len(groups) == 1:  # no savepoint: its failure rolls the batch back
                        results = bulk(items)
                    else:
                        try:
                            with transaction.atomic():
                                results = bulk(items)
                        except Exception as exc:  # noqa: BLE001 - to these items' callers
                            outcomes.append([(False, exc)] * len(items))
                            continue
                    outcomes.append([(not isinstance(r, Exception), r) for r in results])
        except Exception as exc:  # noqa: BLE001 - the commit failed: nothing was written
            return [[(False, exc)] * len(items) for _, items in groups], []
    return outcomes, list(pending)


class _Queue:
    def __init__(self) -> None:
        self.calls: list[tuple[Bulk, Any, asyncio.Future[Any]]] = []
        self.task: asyncio.Task[None] | None = None
        self.batches = 0  # how many batches ran (tests look)

    async def flush(self) -> None:
        while self.calls:
            batch, self.calls = self.calls[:MAX_BATCH], self.calls[MAX_BATCH:]
            grouped: dict[Bulk, list[tuple[Any, asyncio.Future[Any]]]] = {}
            for bulk, item, future in batch:
                grouped.setdefault(bulk, []).append((item, future))
            groups = [(bulk, [item for item, _ in entries]) for bulk, entries in grouped.items()]
            try:
                outcomes, pending = await database_sync_to_async(run_batch)(groups)
            except BaseException as exc:
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, Exception)
                                             else RuntimeError("the batch was cancelled"))
                raise
            self.batches += 1
            try:
                await send_collected(pending)
            except Exception:  # the rows are in; a lost event must not fail their callers
                log.exception("batched writes: sending %d events failed", len(pending))
            for entries, results in zip(grouped.values(), outcomes, strict=True):
                for (_, future), (ok, value) in zip(entries, results, strict=True):
                    if future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)


_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = \
    weakref.WeakKeyDictionary()


def _queue() -> _Queue:
    loop = asyncio.get_running_loop()
    queue = _queues.get(loop)
    if queue is None:
        queue = _queues[loop] = _Queue()
    return queue


def submit_item(bulk: Bulk, item: Any) -> asyncio.Future[Any]:
    """Queue `item` for `bulk` in the next batch (items of one bulk function go to it in one
    call, in the order queued); the future settles with that item's result once committed,
    or with its exception."""
    queue = _queue()
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    queue.calls.append((bulk, item, future))
    if queue.task is None or queue.task.done():
        queue.task = asyncio.get_running_loop().create_task(queue.flush())
    return future


def submit(service: Callable[..., Any], /, **kwargs: Any) -> asyncio.Future[Any]:
    """Queue `service(**kwargs)` (in a savepoint of its own) for the next batch."""
    return submit_item(_each, (service, kwargs))


def batches_run() -> int:
    """How many batches this event loop's queue has run."""
    return _queue().batches
