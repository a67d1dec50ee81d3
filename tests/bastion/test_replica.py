"""Heavy reads go to the replica while it is up and current, else to the primary.

With ``DATABASE_REPLICA_URL`` set (CI starts a throwaway primary and a streaming
standby: ``scripts/pg_replica.sh``), the tests below read a real standby: they commit
their rows on the primary and wait for the standby to replay them. Without it, the
fallbacks are still checked against an alias that points nowhere.
"""

import os
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bastion import replica
from compounds.models import Compound
from tests import factories as f

pytestmark = pytest.mark.replica

STANDBY = os.environ.get("DATABASE_REPLICA_URL", "")
REPLAY_WAIT = 60  # seconds: a CI machine under load replays slowly, never this slowly


@pytest.fixture(autouse=True)
def _fresh_answer():
    replica.forget()
    yield
    replica.forget()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dead_replica():
    """A replica alias whose server does not answer (on SQLite: another file)."""
    had = replica.REPLICA in connections.settings
    saved = connections.settings.get(replica.REPLICA)
    if had:
        connections[replica.REPLICA].close()
    connections.settings[replica.REPLICA] = {
        **connections.settings[DEFAULT_DB_ALIAS],
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "NAME": f"{connections.settings[DEFAULT_DB_ALIAS]['NAME']}-elsewhere",
        "OPTIONS": {"connect_timeout": 2} if connection.vendor == "postgresql" else {},
    }
    if hasattr(connections._connections, replica.REPLICA):
        delattr(connections._connections, replica.REPLICA)
    yield
    connections[replica.REPLICA].close()
    delattr(connections._connections, replica.REPLICA)
    if had:
        connections.settings[replica.REPLICA] = saved
    else:
        del connections.settings[replica.REPLICA]


def test_without_a_replica_heavy_reads_use_the_primary(settings):
    if replica.REPLICA in connections.settings:
        pytest.skip("a replica is configured here")
    assert replica.read_alias() == DEFAULT_DB_ALIAS


def test_a_replica_that_does_not_answer_is_passed_over(dead_replica, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("the replica is a PostgreSQL standby")
    with django_db_blocker.unblock():  # a connection attempt only; no test database
        assert replica.read_alias() == DEFAULT_DB_ALIAS


def test_a_replica_more_than_30_s_behind_is_passed_over(dead_replica, monkeypatch):
    monkeypatch.setattr(replica, "replica_lag", lambda: 45.0)
    assert replica.read_alias() == DEFAULT_DB_ALIAS
    replica.forget()
    monkeypatch.setattr(replica, "replica_lag", lambda: 3.0)
    assert replica.read_alias() == replica.REPLICA


def test_the_answer_is_kept_for_a_few_seconds(dead_replica, monkeypatch):
    calls = []
    monkeypatch.setattr(replica, "replica_lag", lambda: calls.append(1) or 0.0)
    for _ in range(5):
        replica.read_alias()
    assert len(calls) == 1


@pytest.fixture
def standby(request):
    """Point the replica alias (a mirror of the primary's test database under pytest) at
    the real standby, which holds the same test database by replication; put it back
    before the test database is flushed (a standby cannot be)."""
    from urllib.parse import urlparse

    request.getfixturevalue("_django_db_helper")  # set up first, so torn down after this
    url = urlparse(STANDBY)
    conn = connections[replica.REPLICA]
    mirrored = conn.settings_dict
    conn.close()
    conn.settings_dict = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "HOST": url.hostname,
        "PORT": str(url.port),
    }
    yield conn
    conn.close()
    conn.settings_dict = mirrored


def _wait_for(predicate) -> None:
    deadline = time.monotonic() + REPLAY_WAIT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"the standby did not replay within {REPLAY_WAIT} s")
        time.sleep(0.2)


@pytest.mark.skipif(not STANDBY, reason="no standby (DATABASE_REPLICA_URL); CI starts one")
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_overview_reads_the_standby_once_it_has_replayed(client, standby):
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a real standby, not the primary again
    community = f.community()
    compounds = [f.compound(community=community, name=n) for n in ("甲小区", "乙小区")]
    officer = f.user("officer")
    f.role(user=officer, kind="officer", community=community)
    ids = [c.pk for c in compounds]
    _wait_for(lambda: Compound.objects.using(replica.REPLICA).filter(pk__in=ids).count() == 2)
    assert replica.read_alias() == replica.REPLICA
    client.force_login(officer)
    with CaptureQueriesContext(standby) as on_standby:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert {r.compound.pk for r in response.context["rows"]} == set(ids)
    assert len(on_standby.captured_queries) >= 4  # the areas' figures came from there
    # Writes never go there: the standby refuses them.
    from django.db.utils import DatabaseError

    with pytest.raises(DatabaseError), standby.cursor() as cursor:
        cursor.execute("CREATE TABLE nope (id int)")
