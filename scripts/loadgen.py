"""Gate load generator for `make bench`: N devices posting check-ins to one server.

Standalone (no Django import) so that its processes cost the server as little CPU as
possible. Each device posts back to back on loopback, for a bounded time and count.
Prints one JSON line: {"done": …, "errors": …, "seconds": …}.
"""

import argparse
import http.client
import json
import multiprocessing
import random
import time
import uuid


def device(args: tuple[int, str, int, list[str], float, int]) -> tuple[int, int, float]:
    port, token, gate, cards, seconds, seed = args
    rng = random.Random(seed)
    done = errors = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds and done + errors < 50_000:
        body = json.dumps(
            {
                "gate": gate,
                "card": rng.choice(cards),
                "direction": rng.choice(["out", "out", "in"]),
                "temperature": 36.5,
                "client_id": str(uuid.uuid4()),
            }
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(
                "POST",
                "/api/v1/passages/",
                body,
                {"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            response = conn.getresponse()
            response.read()
            if response.status == 201:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            conn.close()
    return done, errors, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--gate", type=int, required=True)
    parser.add_argument("--cards", required=True, help="file with one card number a line")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    a = parser.parse_args()
    with open(a.cards, encoding="utf-8") as fh:
        cards = [line.strip() for line in fh if line.strip()]
    jobs = [(a.port, a.token, a.gate, cards, a.seconds, n) for n in range(a.clients)]
    with multiprocessing.Pool(a.clients) as pool:
        results = pool.map(device, jobs)
    print(
        json.dumps(
            {
                "done": sum(r[0] for r in results),
                "errors": sum(r[1] for r in results),
                "seconds": max(r[2] for r in results),
            }
        )
    )


if __name__ == "__main__":
    main()
