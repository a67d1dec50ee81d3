"""Rate-limit counters in Django's default cache: a store that every worker shares.

The database cache by default (created by ``migrate``), Redis when ``REDIS_URL`` is set
(settings). The search throttle and the login throttle count here, so a limit holds
across gunicorn workers and restarts of one of them.
"""

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, key: str, bucket: int) -> str:
    # Keys may hold phone digits or user names: hash them, and keep them short and ASCII.
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket}"


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt for ``key``; False once more than ``limit`` fell in this window.

    Fixed windows of ``window`` seconds: cheap (one or two cache calls) and good enough
    to stop one client from guessing; a burst at a window's edge gets at most 2 × limit.
    """
    cache_key = _key(scope, key, int(time.time() // window))
    if cache.add(cache_key, 1, timeout=window):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        count = 1
    else:
        # Django's incr() is get + set on most backends (the database cache among them),
        # and set() gives the key the default 5-minute timeout: a pause that long would
        # start the count afresh. Redis keeps the key's TTL; touch() costs it little.
        cache.touch(cache_key, timeout=remaining_seconds(window))
    return count <= limit


def remaining_seconds(window: int) -> int:
    """Seconds until the current window ends: the Retry-After of a refusal."""
    return max(1, window - int(time.time()) % window)
