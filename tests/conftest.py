"""The fixed cast every test plays against.

- ``officer``: community officer over every compound of 春龙社区
- ``secretary``: branch secretary of compound A (绿景水岸)
- ``volunteer``: volunteer of compound A
- ``volunteer_b``: volunteer of compound B (南嘉商业城), an outsider to A
- anonymous: the plain ``client`` fixture
"""

import pytest
from django.test import Client

from tests import factories as f


@pytest.fixture
def community(db):
    return f.community()


@pytest.fixture
def compound_a(community):
    return f.compound(community=community, name="绿景水岸")


@pytest.fixture
def compound_b(community):
    return f.compound(community=community, name="南嘉商业城", three_without=True)


@pytest.fixture
def building_a(compound_a):
    return f.building(compound=compound_a, number="20")


@pytest.fixture
def household_a(building_a):
    return f.household(building=building_a, room="1702")


@pytest.fixture
def resident_a(household_a):
    return f.resident(household=household_a, name="张小流", relation="head")


@pytest.fixture
def gate_a(compound_a):
    return f.opening(compound=compound_a, name="南门")


@pytest.fixture
def building_b(compound_b):
    return f.building(compound=compound_b, number="1")


@pytest.fixture
def household_b(building_b):
    return f.household(building=building_b, room="301")


@pytest.fixture
def gate_b(compound_b):
    return f.opening(compound=compound_b, name="东口")


@pytest.fixture
def officer(community):
    u = f.user("officer", is_staff=True)
    f.role(user=u, kind="officer", community=community)
    return u


@pytest.fixture
def secretary(compound_a):
    u = f.user("secretary")
    f.role(user=u, kind="secretary", compound=compound_a)
    return u


@pytest.fixture
def volunteer(compound_a):
    u = f.user("volunteer")
    f.role(user=u, kind="volunteer", compound=compound_a)
    return u


@pytest.fixture
def volunteer_b(compound_b):
    u = f.user("volunteer_b")
    f.role(user=u, kind="volunteer", compound=compound_b)
    return u


def _client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def as_officer(officer):
    return _client_for(officer)


@pytest.fixture
def as_secretary(secretary):
    return _client_for(secretary)


@pytest.fixture
def as_volunteer(volunteer):
    return _client_for(volunteer)


@pytest.fixture
def as_volunteer_b(volunteer_b):
    return _client_for(volunteer_b)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs seconds per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked(request, settings):
    """Assertions read English messages; tests of the Chinese UI ask for it themselves.

    Browser tests keep the product's default (Chinese first), as users see it.
    """
    if request.node.get_closest_marker("browser") or "tests/browser/" in str(request.path):
        yield
        return
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate-limit counters live in the cache (a database table, or Redis with REDIS_URL),
    which outlives a test's transaction under Redis and flush-based (browser) tests: start
    each test that uses the database with none. Tests without a database skip this."""
    if "_django_db_helper" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_login_and_throttle_counters(settings):
    """Every test starts with no login refusals and empty API throttles.

    The per-address login limit is lifted unless a test sets it: every client of the
    suite logs in from 127.0.0.1, and the counters outlive a test in process memory.
    """
    from django.core.cache import caches

    from compounds import login_guard as logins

    settings.LOGIN_ATTEMPTS = 10_000
    logins._refused_until.clear()
    caches["throttle"].clear()
    yield
    logins._refused_until.clear()


@pytest.fixture(autouse=True)
def _heavy_reads_on_the_primary(request, monkeypatch):
    """A test reads its own rows, uncommitted: with a replica configured
    (DATABASE_REPLICA_URL), heavy reads would go where those rows are not. Tests marked
    ``replica`` (tests/bastion/test_replica.py) use the real choice."""
    if request.node.get_closest_marker("replica"):
        return
    from bastion import replica

    monkeypatch.setattr(replica, "read_alias", lambda: "default")
