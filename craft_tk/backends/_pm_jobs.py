"""Release PythonMonkey's promise jobs once they have run.

PythonMonkey 1.4 keeps one reference too many to the wrapper of every promise job it
hands to asyncio (``PyEventLoop::enqueue`` never drops its creation reference; upstream
pull request Distributive-Network/PythonMonkey#508). The wrapper owns the job's closure,
so everything a promise was resolved with stays alive for the life of the process:
measured, a ``for await`` page consumer of a 128 MB channel stream kept 133 MB, and any
``await craft.invoke`` result is kept the same way.

``release_promise_jobs(loop)`` makes the loop run those jobs through a function that drops
the extra reference afterwards, and only when the reference count proves it is there
(a count calibrated on a plain callback run the same way): with a PythonMonkey that no
longer leaks, nothing is released.

It also schedules them with ``call_soon`` when PythonMonkey asks from the loop's own
thread (Tk's, where pages' JavaScript runs): ``call_soon_threadsafe`` would write to the
loop's self-pipe for every promise job, and each such write costs Tk a loop step of its
own, after the job has already run in the step that was under way.
"""

import asyncio
import ctypes
import functools
import sys
import threading
from typing import Any, Callable, List

__all__ = ["release_promise_jobs"]

_JOB_NAME = "eventLoopJobWrapper"


def _references_while_running(loop: asyncio.AbstractEventLoop) -> int:
    """How many references a callback that nothing else owns has, right after it ran
    through ``_run_and_release``'s path (a loop's handle calling a one-argument function)."""
    seen: List[int] = []

    def probe(job: Callable[[], Any]) -> None:
        job()
        seen.append(sys.getrefcount(job))

    asyncio.Handle(probe, (functools.partial(int),), loop)._run()  # as the loop runs its handles
    return seen[0]


_expected: List[int] = []  # calibrated once, on first use


def _run_and_release(job: Callable[[], Any]) -> None:
    try:
        job()
    finally:
        if sys.getrefcount(job) == _expected[0] + 1:  # the reference PythonMonkey never drops
            ctypes.pythonapi.Py_DecRef(ctypes.py_object(job))


def release_promise_jobs(loop: asyncio.AbstractEventLoop) -> None:
    """Make ``loop`` release the promise jobs PythonMonkey schedules on it, and schedule
    those asked for on the calling thread (the loop's) without waking it through its
    self-pipe (idempotent)."""
    if getattr(loop, "_craft_releases_jobs", False):
        return
    if not _expected:
        _expected.append(_references_while_running(loop))
    schedule = loop.call_soon_threadsafe
    owner = threading.get_ident()  # the loop's thread: the caller's

    def call_soon_threadsafe(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> asyncio.Handle:
        if args or getattr(callback, "__name__", None) != _JOB_NAME:
            return schedule(callback, *args, **kwargs)
        if threading.get_ident() == owner:
            return loop.call_soon(_run_and_release, callback, **kwargs)
        return schedule(_run_and_release, callback, **kwargs)

    loop.call_soon_threadsafe = call_soon_threadsafe  # type: ignore[method-assign,assignment]
    loop._craft_releases_jobs = True  # type: ignore[attr-defined]
