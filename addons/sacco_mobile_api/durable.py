"""Writes that must outlive a refused request.

A request the API refuses is rolled back whole (no half-written record), but some of what
it did is the reason it was refused and must stay: a wrong PIN's count and the lock, a
wrong code's try, a revoked token family, the rate limit's spend. Such writes go through
``durably``: they run at once and, if the request is refused, again after the rollback.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

_pending: ContextVar[list | None] = ContextVar("sacco_mobile_durable", default=None)


@contextmanager
def collecting():
    """Collect the durable writes of one request; yields their list."""
    token = _pending.set([])
    try:
        yield _pending.get()
    finally:
        _pending.reset(token)


def durably(func, *args, **kwargs):
    """``func(*args, **kwargs)``, remembered to be run again after a rollback."""
    result = func(*args, **kwargs)
    pending = _pending.get()
    if pending is not None:
        pending.append(partial(func, *args, **kwargs))
    return result
