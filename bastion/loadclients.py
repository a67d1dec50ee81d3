"""The clients of `make load` and of the fault test: gate phones, secretaries, a guesser.

Plain http.client, no Django: each kind runs in a process of its own and costs the server
as little CPU as possible. Every loop is bounded in time and in count and stops by itself;
the host must be on loopback.
"""

import http.client
import ipaddress
import json
import random
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

MAX_REQUESTS_PER_CLIENT = 100_000


def require_loopback(host: str) -> None:
    address = socket.gethostbyname(host)
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"load runs against loopback only, not {host} ({address})")


@dataclass
class Tally:
    requests: int = 0
    errors_5xx: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    gate_ms: list[float] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    unsent: int = 0

    def count(self, status: int) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.errors_5xx += 1

    def merge(self, other: "Tally") -> None:
        self.requests += other.requests
        self.errors_5xx += other.errors_5xx
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.gate_ms += other.gate_ms
        self.accepted += other.accepted
        self.unsent += other.unsent


def request(
    host: str, port: int, method: str, path: str, body: str | None = None, **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it anyway).
    Status 0 means the connection itself failed."""
    conn = http.client.HTTPConnection(host, port, timeout=15)
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


# --- gate phones ---------------------------------------------------------------------


@dataclass
class Phone:
    """A gate phone: posts check-ins, keeps what was not accepted queued, retries it.

    Like gate.js: a 429, a 5xx or a failed connection leaves the record queued with the
    same client_id; a record is accepted on 201 (new) or 200 (already stored).
    """

    host: str
    port: int
    token: str
    gate: int
    cards: list[str]
    rng: random.Random
    tally: Tally = field(default_factory=Tally)
    queue: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[float, int, dict[str, str]]] = field(default_factory=list)

    def new_record(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "card": self.rng.choice(self.cards),
            "direction": self.rng.choice(["out", "out", "in"]),
            "temperature": self.rng.choice([36.2, 36.5, 36.7]),
            "client_id": str(uuid.uuid4()),
        }

    def post(self, record: dict[str, Any]) -> int:
        started = time.perf_counter()
        status, headers, _ = request(
            self.host,
            self.port,
            "POST",
            "/api/v1/passages/",
            json.dumps(record),
            **{"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
        )
        self.tally.gate_ms.append((time.perf_counter() - started) * 1000)
        self.tally.count(status)
        self.log.append((time.monotonic(), status, headers))
        if status in (200, 201):
            self.tally.accepted.append(record["client_id"])
        return status

    def step(self) -> None:
        """Upload what is queued (oldest first, stop at the first refusal), then one new."""
        while self.queue:
            if self.post(self.queue[0]) not in (200, 201):
                break
            self.queue.pop(0)
        record = self.new_record()
        status = self.post(record)
        if status not in (200, 201):
            self.queue.append(record)
        elif self.rng.random() < 0.05:
            self.post(record)  # the answer "got lost": the phone sends it again

    def run(self, seconds: float, interval: float, drain: float = 15.0) -> Tally:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.tally.requests < MAX_REQUESTS_PER_CLIENT:
            self.step()
            time.sleep(interval * self.rng.uniform(0.5, 1.5))
        end = time.monotonic() + drain
        while self.queue and time.monotonic() < end:
            if self.post(self.queue[0]) in (200, 201):
                self.queue.pop(0)
            else:
                time.sleep(0.5)
        self.tally.unsent = len(self.queue)
        return self.tally


def phones(
    host: str,
    port: int,
    tokens: list[str],
    gate: int,
    cards: list[str],
    seconds: float,
    interval: float,
) -> Tally:
    """All gate phones, one thread each (they mostly wait on the network)."""
    results: list[Tally] = []
    lock = threading.Lock()

    def one(n: int, token: str) -> None:
        phone = Phone(host, port, token, gate, cards, random.Random(n))
        time.sleep(interval * n / max(1, len(tokens)))  # spread the first posts
        tally = phone.run(seconds, interval)
        with lock:
            results.append(tally)

    threads = [threading.Thread(target=one, args=(n, t)) for n, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = Tally()
    for tally in results:
        total.merge(tally)
    return total


# --- secretaries -----------------------------------------------------------------------


def secretaries(
    host: str, port: int, sessions: list[str], pages: list[str], seconds: float, think: float
) -> Tally:
    """Each secretary reads pages one after the other, with a pause to read each."""
    total = Tally()
    lock = threading.Lock()

    def one(n: int, session: str) -> None:
        rng = random.Random(1000 + n)
        tally = Tally()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and tally.requests < MAX_REQUESTS_PER_CLIENT:
            status, _, _ = request(
                host, port, "GET", rng.choice(pages), Cookie=f"sessionid={session}"
            )
            tally.count(status)
            time.sleep(think * rng.uniform(0.5, 1.5))
        with lock:
            total.merge(tally)

    threads = [threading.Thread(target=one, args=(n, s)) for n, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total


# --- the guesser -----------------------------------------------------------------------


def guesser(host: str, port: int, usernames: list[str], seconds: float) -> Tally:
    """Wrong passwords back to back, as fast as the server answers, over many accounts."""
    tally = Tally()
    rng = random.Random(7)
    status, headers, _ = request(host, port, "GET", "/accounts/login/")
    tally.count(status)
    match = re.search(r"csrftoken=([A-Za-z0-9]+)", headers.get("Set-Cookie", ""))
    token = match.group(1) if match else ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and tally.requests < MAX_REQUESTS_PER_CLIENT:
        body = (
            f"csrfmiddlewaretoken={token}&username={rng.choice(usernames)}"
            f"&password=guess{rng.randrange(10**9)}"
        )
        status, _, _ = request(
            host,
            port,
            "POST",
            "/accounts/login/",
            body,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
                "Referer": f"http://{host}:{port}/accounts/login/",
            },
        )
        tally.count(status)
    return tally
