"""The dashboards: figures equal counts taken straight from the tables, totals equal the
sum of the rows, each user sees their own compounds, and the query count of a page does
not grow with the number of compounds or passages."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bastion.dashboard import registry, selectors
from bastion.dashboard.registry import Moment
from checkpoints import selectors as gate_selectors
from checkpoints import services as gate
from checkpoints.models import CompoundRules, Passage
from compounds.models import AuditEntry
from residents.models import FeverAlert, Household, Resident
from residents.services import fever_alert_raise
from tests import factories as f

MAX_QUERIES = 25


def populate(compound, volunteer, *, households=3, tag=""):
    """A compound with a bit of everything: people out, back, refused, with a fever,
    returnees (one arrived today, one erased), quarantined households and people."""
    today = timezone.localdate()
    gate_ = f.opening(compound=compound, name=f"南门{tag}")
    building = f.building(compound=compound, number=f"9{tag}")
    now = timezone.now()
    made = []
    for i in range(households):
        h = f.household(
            building=building,
            room=f"{i + 1}01",
            quarantine_until=today + timedelta(days=3) if i == 0 else None,
        )
        f.resident(household=h, name=f"甲{tag}{i}", party_member=i == 0, elderly_alone=i == 1)
        f.resident(
            household=h,
            name=f"乙{tag}{i}",
            returnee=True,
            returned_from="武汉",
            returned_on=today if i == 1 else today - timedelta(days=5),
            quarantine_until=today + timedelta(days=1) if i == 2 else None,
        )
        f.resident(
            household=h,
            name=f"丙{tag}{i}",
            returnee=True,
            erased_at=now,
        )
        card = f.card(household=h, actor=None)
        made.append((h, card))

    def record(card, direction="out", minutes=0, temperature="36.5"):
        return gate.passage_record(
            opening=gate_,
            code=card.number,
            direction=direction,
            temperature=Decimal(temperature),
            actor=volunteer,
            client_id=uuid.uuid4(),
            # Now, or earlier as an offline upload (stored as it happened, never refused).
            recorded_at=now - timedelta(minutes=minutes) if minutes else None,
        ).passage

    (_h0, c0), (_h1, c1) = made[0], made[1]
    record(c1, "out", minutes=5)  # out now, not long
    for _h, card in made[2:]:
        record(card, "out", minutes=600)  # out too long (the rules allow 120 minutes)
        record(card, "in", minutes=300) if tag == "x" else None
    record(c0, "out", minutes=4)
    record(c1, "in", minutes=3, temperature="38.4")  # a fever: let in, alert raised
    record(c1, "out")  # a second outing, at the gate now: refused, quota used
    fever_alert_raise(
        compound=compound, source=FeverAlert.Source.PHONE, temperature=Decimal("38.0"), actor=None
    )
    resolved = fever_alert_raise(
        compound=compound, source=FeverAlert.Source.PHONE, temperature=Decimal("37.9"), actor=None
    )
    FeverAlert.objects.filter(pk=resolved.pk).update(status=FeverAlert.Status.RESOLVED)
    return gate_


def straight_from_the_tables(compound, moment):
    passages = Passage.objects.filter(
        compound=compound, occurred_at__gte=moment.start, occurred_at__lt=moment.end
    )
    allowed = passages.filter(verdict="allowed")
    out_now = list(gate_selectors.households_out_now(compound=compound, at=moment.now))
    living = Resident.objects.filter(household__compound=compound, erased_at__isnull=True)
    quarantined = [
        r
        for r in living.select_related("household")
        if (r.quarantine_until and r.quarantine_until >= moment.day)
        or (r.household.quarantine_until and r.household.quarantine_until >= moment.day)
    ]
    alerts = FeverAlert.objects.filter(compound=compound)
    return {
        "register.households": Household.objects.filter(compound=compound).count(),
        "register.residents": living.count(),
        "register.returnees": living.filter(returnee=True).count(),
        "register.returnees_new": living.filter(returnee=True, returned_on=moment.day).count(),
        "register.vulnerable": sum(1 for r in living if r.vulnerable),
        "register.party_members": living.filter(party_member=True).count(),
        "gate.out_now": len(out_now),
        "gate.overdue": sum(1 for h in out_now if h.overdue),
        "gate.exits": allowed.filter(direction="out").count(),
        "gate.entries": allowed.filter(direction="in").count(),
        "gate.refused": passages.filter(verdict="denied").count(),
        "fevers.open": alerts.exclude(status="resolved").count(),
        "fevers.raised": alerts.filter(
            created_at__gte=moment.start, created_at__lt=moment.end
        ).count(),
        "quarantine.people": len(quarantined),
        "quarantine.households": len({r.household_id for r in quarantined}),
    }


@pytest.fixture
def town(compound_a, compound_b, volunteer, volunteer_b):
    populate(compound_a, volunteer, households=4)
    populate(compound_b, volunteer_b, households=3, tag="x")
    return [compound_a, compound_b]


def test_every_figure_equals_the_count_taken_straight_from_the_tables(town):
    moment = Moment.today()
    computed = registry.compute_all([c.pk for c in town], moment)
    for compound in town:
        expected = straight_from_the_tables(compound, moment)
        got = {key: computed[compound.pk][key] for key in expected}
        assert got == expected, compound.name
    a = computed[town[0].pk]
    # The fixture is not empty where it matters: each figure is checked on something.
    assert a["gate.out_now"] == 3 and a["gate.overdue"] == 2 and a["gate.refused"] == 1
    assert a["gate.refused:quota_used"] == 1
    assert a["fevers.open"] == 2 and a["quarantine.people"] == 3
    assert a["register.returnees_new"] == 1


def test_out_too_long_follows_each_compounds_own_rules(town, compound_a):
    CompoundRules.objects.filter(compound=compound_a).update(max_minutes_out=24 * 60)
    moment = Moment.today()
    computed = registry.compute_all([c.pk for c in town], moment)
    assert computed[compound_a.pk]["gate.overdue"] == 0
    assert (
        computed[town[1].pk]["gate.overdue"]
        == (straight_from_the_tables(town[1], moment)["gate.overdue"])
    )


def test_the_compound_page_shows_each_figure_as_a_link_to_its_list(as_secretary, town, compound_a):
    response = as_secretary.get(reverse("compound-home", args=[compound_a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    moment = Moment.today()
    expected = straight_from_the_tables(compound_a, moment)
    for area in response.context["areas"]:
        for figure in area.figures:
            assert figure.value == expected[figure.key]
            assert figure.href and f'href="{figure.href.replace("&", "&amp;")}"' in html
            assert as_secretary.get(figure.href).status_code == 200, figure.href
    out_now = reverse("checkpoints:out-now", args=[compound_a.pk])
    assert f'id="figure-gate.out_now" href="{out_now}"' in html
    assert "reason=quota_used" in html  # refusals by reason, each a link
    assert "<svg" in html and "<polyline" in html


def test_the_chart_counts_each_day(town, compound_a):
    from bastion.dashboard.chart import chart

    drawn = chart([compound_a.pk], last=timezone.localdate())
    series = {s.key: s for s in drawn["series"]}
    moment = Moment.today()
    expected = straight_from_the_tables(compound_a, moment)
    assert series["exits"].values[-1] == expected["gate.exits"]
    assert series["entries"].values[-1] == expected["gate.entries"]
    assert series["fevers"].values[-1] == expected["fevers.raised"]
    assert len(series["exits"].values) == 14 and sum(series["exits"].values[:-1]) == 0


def test_the_overview_totals_equal_the_sum_of_its_rows(as_officer, town):
    response = as_officer.get(reverse("home"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {r.compound for r in rows} == set(town)
    for figure, total in response.context["totals"]:
        assert total == sum(r.get(figure.key) for r in rows), figure.key
    assert reverse("admin:index") in response.content.decode()


def test_the_overview_sorts_by_a_figure(as_officer, town, compound_a, compound_b):
    # B has no open alert once resolved; A keeps its two.
    FeverAlert.objects.filter(compound=compound_b).update(status="resolved")
    url = reverse("home")
    down = as_officer.get(url, {"sort": "fevers.open", "desc": "1"}).context["rows"]
    up = as_officer.get(url, {"sort": "fevers.open"}).context["rows"]
    assert [r.compound for r in down] == [compound_a, compound_b]
    assert [r.compound for r in up] == [compound_b, compound_a]


def test_a_secretary_sees_only_their_compound(as_secretary, town, compound_a, compound_b):
    # One compound: home goes straight to it; the report and exports hold only it.
    assert as_secretary.get(reverse("home"))["Location"] == reverse(
        "compound-home", args=[compound_a.pk]
    )
    report = as_secretary.get(reverse("dashboard:report"))
    assert [r.compound for r in report.context["rows"]] == [compound_a]
    assert as_secretary.get(reverse("compound-home", args=[compound_b.pk])).status_code == 404
    assert (
        as_secretary.get(reverse("residents:quarantine-board", args=[compound_b.pk])).status_code
        == 404
    )


def test_the_officer_sees_only_their_community(as_officer, town):
    elsewhere = f.compound(community=f.community("别的社区"), name="外区小区")
    populate(elsewhere, f.user("v3"), households=2, tag="y")
    rows = as_officer.get(reverse("home")).context["rows"]
    assert elsewhere not in {r.compound for r in rows}
    text = as_officer.get(reverse("dashboard:report-text")).content.decode()
    assert "别的社区" not in text


def test_a_volunteers_named_lists_are_empty(as_volunteer, town):
    """Names and ID numbers are for the branch's managers and the office."""
    response = as_volunteer.get(reverse("dashboard:named-returnees"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1  # the header only


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_compounds_or_passages(as_officer, town, community):
    home = reverse("home")
    report = reverse("dashboard:report")
    page = reverse("compound-home", args=[town[0].pk])
    before = [_queries(as_officer, u) for u in (home, report, page)]
    for i in range(3):
        c = f.compound(community=community, name=f"加{i}")
        populate(c, f.user(f"vv{i}"), households=3, tag=f"z{i}")
    populate(town[0], f.user("more"), households=5, tag="m")
    after = [_queries(as_officer, u) for u in (home, report, page)]
    assert after == before
    assert max(after) <= MAX_QUERIES


def test_the_daily_report_sums_the_figures_and_prints_in_chinese(as_officer, town):
    from django.utils import translation
    from django.utils.translation import gettext

    response = as_officer.get(reverse("dashboard:report"))
    html = response.content.decode()
    moment = Moment.today()
    expected = {k: 0 for k in straight_from_the_tables(town[0], moment)}
    for c in town:
        for k, v in straight_from_the_tables(c, moment).items():
            expected[k] += v
    with translation.override("zh-hans"):  # the report's language, whatever the user's
        households = gettext("Households under management")
        quarantined = gettext("People in home quarantine")
        fevers = gettext("Fevers found")
        items = {str(i.label): i.value for i in response.context["items"]}
    assert items[households] == expected["register.households"]
    assert items[quarantined] == expected["quarantine.people"]
    assert items[fevers] == expected["fevers.raised"]
    assert response.context["title"] in html and 'lang="zh-hans"' in html
    text = as_officer.get(reverse("dashboard:report-text")).content.decode()
    assert f"{households}：{expected['register.households']}" in text
    book = load_workbook(io.BytesIO(as_officer.get(reverse("dashboard:report-xlsx")).content))
    cells = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert cells[households] == expected["register.households"]


def test_exports_are_recorded_per_compound(as_officer, officer, town):
    response = as_officer.get(reverse("dashboard:named-quarantine"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    moment = Moment.today()
    people = sum(straight_from_the_tables(c, moment)["quarantine.people"] for c in town)
    assert sheet.max_row == 1 + people
    entries = AuditEntry.objects.filter(action="export_quarantine", actor=officer)
    assert {e.compound_id: e.changes["rows"] for e in entries} == {
        c.pk: straight_from_the_tables(c, moment)["quarantine.people"] for c in town
    }
    overview = as_officer.get(reverse("dashboard:overview-export"))
    book = load_workbook(io.BytesIO(overview.content)).active
    assert book.max_row == 1 + len(town) + 1  # header, rows, total
    assert AuditEntry.objects.filter(action="export_overview").count() == len(town)
    returnees = as_officer.get(reverse("dashboard:named-returnees"))
    sheet = load_workbook(io.BytesIO(returnees.content)).active
    living = Resident.objects.filter(returnee=True, erased_at__isnull=True)
    assert sheet.max_row == 1 + living.filter(household__compound__in=town).count()


def test_selectors_compute_for_many_compounds_at_once(town):
    rows = selectors.overview_rows(town, Moment.today())
    assert [r.compound for r in rows] == town
