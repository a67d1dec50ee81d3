"""make bench-city: the dashboards and the gate on a whole city (``bastion.city``).

Builds the city once (``seed_city``'s loader) and reuses a city with the same seed
stamp; ``city_seed_s`` is printed only when it was built here (``REBUILD=1`` forces it).
Each time is the median of ``--city-trials`` (20) requests through the whole Django
stack (test client, session login), on the configured database:

- city_overview_ms: an officer of a 30-compound community opens the overview;
- city_overview_all_ms: a superuser over every compound;
- city_overview_queries (30 compounds) and city_overview_queries_300 (an officer of all
  ten communities): SQL statements of the page, equal; _superuser for the superuser;
- compound_page_ms / compound_page_queries: the largest compound's page, its secretary;
- daily_report_ms: the officer's daily report;
- city_gate_median_ms: check-ins at the largest compound of the city;
- city_gate_over_single: that median over the median at a lone compound of the same
  size with an empty log, measured in the same run.

The city has its daily life too (``bastion.city_life``): 500,000 door visits, 164,700
shifts with 327,000 assignments, 18,000 runs with 180,000 orders, ~10,000 quarantines
with their daily checks and ~10,000 help requests, so the areas that read them (rounds'
coverage, quarantine, roster gaps, supplies) are timed on a city's worth of rows.
"""

import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bastion import city
from bastion.benches import Figures
from checkpoints.models import PassCard
from compounds.models import Community, Compound, Opening, Role

NAME = "city"
EXPLICIT = True  # builds a city: only with --only city (make bench-city) or --quick
SINGLE_COMMUNITY = "基准单小区"
SINGLE_COMPOUND = "单小区（城市基准）"
SINGLE_USER = "bench-lone-volunteer"  # not city-…: seed_city removes those


def _median_ms(trials: int, do: Callable[[], Any]) -> float:
    do()  # warm caches and the connection
    times = []
    for _ in range(trials):
        t = time.perf_counter()
        do()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 1)


def _get(client: Client, url: str) -> Callable[[], Any]:
    def do() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return response

    return do


def _queries(do: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        do()
    return len(ctx.captured_queries)


def _client(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _officer_of_all() -> Client:
    user, _created = get_user_model().objects.get_or_create(
        username=f"{city.USER_PREFIX}officer-all"
    )
    for community in Community.objects.filter(name__startswith=city.COMMUNITY_PREFIX):
        Role.objects.get_or_create(user=user, kind=Role.Kind.OFFICER, community=community)
    return _client(user.username)


def _single_compound(households: int) -> tuple[Compound, Any]:
    """A lone compound of ``households`` with cards and no passages, for the ratio."""
    from bastion.demo import build_compound

    User = get_user_model()
    user, _created = User.objects.get_or_create(username=SINGLE_USER)
    compound = Compound.objects.filter(name=SINGLE_COMPOUND).first()
    if compound is None or compound.households.count() != households:
        if compound is not None:
            Compound.objects.filter(pk=compound.pk).delete()
        community, _ = Community.objects.get_or_create(name=SINGLE_COMMUNITY)
        compound = build_compound(
            community, SINGLE_COMPOUND, households, households * 3, random.Random(7)
        )
    Role.objects.get_or_create(user=user, kind=Role.Kind.VOLUNTEER, compound=compound)
    return compound, user


def _checkins(client: Client, compound: Compound, samples: int) -> float:
    opening = Opening.objects.filter(compound=compound).order_by("pk").first()
    assert opening is not None
    cards = list(
        PassCard.objects.filter(compound=compound, state="active").values_list("number", flat=True)
    )
    rng = random.Random(11)

    def do() -> None:
        body = {
            "gate": opening.pk,
            "card": rng.choice(cards),
            "direction": rng.choice(["out", "out", "in"]),
            "temperature": 36.5,
            "client_id": str(uuid.uuid4()),
        }
        response = client.post("/api/v1/passages/", json.dumps(body), "application/json")
        if response.status_code != 201:
            raise RuntimeError(f"check-in: {response.status_code} {response.content[:200]!r}")

    for _ in range(10):
        do()
    return _median_ms(samples, do)


def run(log: Callable[[str], None], opts: dict[str, Any]) -> Figures:
    from bastion.management.commands.seed_city import ensure_city

    quick = bool(opts.get("quick"))
    trials = 2 if quick else max(20, int(opts.get("city_trials") or 20))
    spec = city.CitySpec.scaled(3, days=2) if quick else city.CitySpec()
    if opts.get("city_compounds"):
        spec = city.CitySpec.scaled(int(opts["city_compounds"]))
    rebuild = os.environ.get("REBUILD") == "1"
    figures: Figures = {}
    built = ensure_city(spec, rebuild=rebuild, log=log)
    if built is not None:
        figures["city_seed_s"] = round(built.seconds)
    else:
        log("city reused (same seed stamp); REBUILD=1 builds it again")
    compounds = list(city.city_compounds().order_by("pk"))
    first_community = compounds[0].community_id
    officer = _client(f"{city.USER_PREFIX}officer{first_community}")
    admin = _client(f"{city.USER_PREFIX}admin")
    largest = max(compounds, key=lambda c: c.households.count())
    secretary = _client(f"{city.USER_PREFIX}s{largest.pk}")
    volunteer = _client(f"{city.USER_PREFIX}v{largest.pk}")

    log(f"timing the overview ({trials} trials each) …")
    figures["city_overview_ms"] = _median_ms(trials, _get(officer, "/"))
    figures["city_overview_all_ms"] = _median_ms(trials, _get(admin, "/"))
    figures["city_overview_queries"] = _queries(_get(officer, "/"))
    # The same kind of login over all 300: an officer of every community of the city.
    figures["city_overview_queries_300"] = _queries(_get(_officer_of_all(), "/"))
    figures["city_overview_queries_superuser"] = _queries(_get(admin, "/"))
    page = f"/c/{largest.pk}/"
    figures["compound_page_ms"] = _median_ms(trials, _get(secretary, page))
    figures["compound_page_queries"] = _queries(_get(secretary, page))
    figures["daily_report_ms"] = _median_ms(trials, _get(officer, "/report/"))
    figures["daily_report_all_ms"] = _median_ms(trials, _get(admin, "/report/"))

    samples = 20 if quick else max(100, trials)
    log(f"timing {samples} check-ins at the city's largest compound and at a lone one …")
    city_gate = _checkins(volunteer, largest, samples)
    single, single_user = _single_compound(largest.households.count())
    lone = Client(HTTP_HOST="localhost")
    lone.force_login(single_user)
    single_gate = _checkins(lone, single, samples)
    figures["city_gate_median_ms"] = city_gate
    figures["single_gate_median_ms"] = single_gate
    figures["city_gate_over_single"] = round(city_gate / single_gate, 2)
    figures["city_passages"] = _count_passages(compounds)
    return figures


def _count_passages(compounds: list[Compound]) -> int:
    from checkpoints.models import Passage

    return Passage.objects.filter(compound__in=compounds).count()
