"""The database goes away for a few seconds while a gate phone is posting.

A small TCP proxy sits between a real gunicorn and PostgreSQL; cutting it drops every open
connection and refuses new ones, as a network fault or a database restart would. The
machine's own PostgreSQL is never touched.
"""

import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from bastion.loadclients import Phone, request
from checkpoints.models import Passage
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL until ``sever()``, again after ``heal()``."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.severed = threading.Event()
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.severed.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def sever(self) -> None:
        self.severed.set()
        for sock in list(self.open):
            self._close(sock)

    def heal(self) -> None:
        self.severed.clear()

    def stop(self) -> None:
        self.listener.close()
        self.sever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_through_proxy():
    """gunicorn on a free port, its database reached through a CuttableProxy."""
    if connection.vendor != "postgresql":
        pytest.skip("cuts a PostgreSQL connection; run with DATABASE_URL=postgres://…")
    db = connection.settings_dict
    proxy = CuttableProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    port = free_port()
    secret = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{secret}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "DEBUG": "0",
        "LOG_LEVEL": "CRITICAL",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "bastion.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"]
        + ["--timeout", "20", "--log-level", "critical"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if request("127.0.0.1", port, "GET", "/accounts/login/")[0] == 200:
                break
            time.sleep(0.2)
        yield {"port": port, "proxy": proxy, "server": server}
    finally:
        server.terminate()
        server.wait(timeout=20)
        proxy.stop()


def test_a_database_cut_is_survived_nothing_lost_nothing_doubled(
    server_through_proxy, gate_a, household_a, volunteer
):
    port, proxy = server_through_proxy["port"], server_through_proxy["proxy"]
    households = [household_a] + [
        f.household(building=household_a.building, room=str(1800 + n)) for n in range(20)
    ]
    cards = [f.card(household=h).number for h in households]
    phone = Phone(
        "127.0.0.1",
        port,
        Token.objects.create(user=volunteer).key,
        gate_a.pk,
        cards,
        random.Random(1),
    )
    runner = threading.Thread(target=phone.run, args=(11.0, 0.1, 15.0))
    runner.start()
    time.sleep(3)
    cut_at = time.monotonic()
    proxy.sever()
    time.sleep(4)
    healed_at = time.monotonic()
    proxy.heal()
    runner.join(timeout=40)
    assert server_through_proxy["server"].poll() is None  # still the same server

    during = [(s, h) for t, s, h in phone.log if cut_at + 0.3 < t < healed_at]
    after = [s for t, s, _ in phone.log if t > healed_at + 2]
    assert during and all(s != 201 for s, _ in during)  # the cut really cut
    assert after and set(after) <= {200, 201}  # recovered without a restart
    assert phone.tally.unsent == 0  # the queue emptied once the database was back
    stored = list(Passage.objects.values_list("client_id", flat=True))
    assert len(stored) == len(set(stored))  # nothing doubled
    assert set(phone.tally.accepted) == {str(x) for x in stored}  # nothing lost

    # While the database is away the gate is told to come back later, in JSON.
    wrong = [(s, h.get("Retry-After")) for s, h in during if s != 503 or "Retry-After" not in h]
    assert wrong == []
