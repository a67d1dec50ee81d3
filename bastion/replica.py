"""Where heavy reads go: the replica when it is up and current, else the primary.

The overview, the daily report and the exports read a lot and write nothing; with
``DATABASE_REPLICA_URL`` set (a PostgreSQL streaming standby of the primary) they take
their alias from ``read_alias()``. It answers the primary's alias when the replica does
not answer or has fallen more than ``REPLICA_MAX_LAG`` seconds behind, so a page is never
built from data older than that. Writes, the gate and access checks always use the
primary (the ``default`` alias): nothing routes them elsewhere.

The answer is kept for ``CHECK_EVERY`` seconds per process: one small query on the
replica every few seconds, not one per page.
"""

import logging
import time

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

logger = logging.getLogger("bastion.replica")

REPLICA = "replica"
REPLICA_MAX_LAG = 30.0  # seconds
CHECK_EVERY = 5.0  # seconds

# Lag in seconds, 0 when the standby has replayed all it received (an idle primary
# sends nothing, and the last replayed transaction then looks old while it is current).
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

_checked: dict[str, tuple[float, str]] = {}


def replica_lag() -> float | None:
    """Seconds the replica is behind (0 when it is not a standby), None when it is down."""
    connection = connections[REPLICA]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica unreachable, reading from the primary: %s", error)
        connection.close()
        return None
    return float(lag) if in_recovery else 0.0


def _where(alias: str) -> tuple[str, str, str]:
    conf = connections[alias].settings_dict
    return (str(conf.get("HOST") or ""), str(conf.get("PORT") or ""), str(conf.get("NAME")))


def read_alias() -> str:
    """The alias for a heavy read: ``replica`` if configured, up and current."""
    if REPLICA not in connections.settings:
        return DEFAULT_DB_ALIAS
    if _where(REPLICA) == _where(DEFAULT_DB_ALIAS):
        # The very same database (a test mirror: settings' TEST MIRROR): the primary.
        return DEFAULT_DB_ALIAS
    now = time.monotonic()
    cached = _checked.get(REPLICA)
    if cached is not None and now - cached[0] < CHECK_EVERY:
        return cached[1]
    lag = replica_lag()
    alias = REPLICA if lag is not None and lag <= REPLICA_MAX_LAG else DEFAULT_DB_ALIAS
    if lag is not None and alias == DEFAULT_DB_ALIAS:
        logger.warning("replica %.0f s behind, reading from the primary", lag)
    _checked[REPLICA] = (now, alias)
    return alias


def forget() -> None:
    """Drop the kept answer (tests; after a failover)."""
    _checked.clear()
