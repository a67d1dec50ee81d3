"""Rate-limit counters in the shared cache: a counter lives as long as its window."""

from datetime import UTC, datetime
from unittest import mock

import pytest

from compounds import ratelimit

HOUR = 60 * 60


@pytest.fixture
def clock():
    """time.time() and the database cache's clock, at the start of an hour, moved by hand."""
    now = [float(1_800_000_000 - 1_800_000_000 % HOUR)]
    with (
        mock.patch("time.time", lambda: now[0]),
        mock.patch(
            "django.core.cache.backends.db.tz_now",
            lambda: datetime.fromtimestamp(now[0], tz=UTC),
        ),
    ):
        yield now


def test_the_limit_holds_for_the_whole_window(db, clock):
    assert ratelimit.hit("t", "user-1", limit=2, window=HOUR)
    assert ratelimit.hit("t", "user-1", limit=2, window=HOUR)
    # Later in the same hour, past the cache's default timeout (5 minutes).
    clock[0] += 20 * 60
    assert not ratelimit.hit("t", "user-1", limit=2, window=HOUR)
    assert ratelimit.hit("t", "user-2", limit=2, window=HOUR)


def test_a_new_window_starts_a_new_count(db, clock):
    ratelimit.hit("t", "user-1", limit=1, window=HOUR)
    assert not ratelimit.hit("t", "user-1", limit=1, window=HOUR)
    clock[0] += HOUR
    assert ratelimit.hit("t", "user-1", limit=1, window=HOUR)
    assert ratelimit.remaining_seconds(HOUR) == HOUR
