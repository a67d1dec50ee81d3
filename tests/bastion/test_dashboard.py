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
from checkpoints.rosters import duty
from checkpoints.rosters import services as roster_services
from checkpoints.rosters.models import Assignment, Shift
from compounds import people
from compounds.models import AuditEntry
from residents.models import FeverAlert, Household, Resident
from residents.quarantine import services as quarantine_services
from residents.quarantine.models import Quarantine, QuarantineCheck
from residents.rounds import services as round_services
from residents.rounds.models import Round, Visit
from residents.services import fever_alert_raise
from supplies import help_services, list_services
from supplies import services as supply_services
from supplies.help_selectors import state_of
from supplies.models import HelpRequest, Order
from tests import factories as f

MAX_QUERIES = 25


def populate(compound, volunteer, *, households=3, tag="", manager=None):
    """A compound with a bit of everything: people out, back, refused, with a fever,
    returnees (one arrived today, one erased), people in home and central quarantine
    with checks made, due and missed, two rounds, a roster short of people, a grocery run
    and help requests. ``manager`` (who may manage the compound) opens them."""
    today = timezone.localdate()
    gate_ = f.opening(compound=compound, name=f"南门{tag}")
    building = f.building(compound=compound, number=f"9{tag}")
    now = timezone.now()
    made = []
    first_residents = []
    for i in range(households):
        h = f.household(building=building, room=f"{i + 1}01")
        first = f.resident(
            household=h, name=f"甲{tag}{i}", party_member=i == 0, elderly_alone=i == 1
        )
        f.resident(
            household=h,
            name=f"乙{tag}{i}",
            returnee=True,
            returned_from="武汉",
            returned_on=today if i == 1 else today - timedelta(days=5),
        )
        f.resident(
            household=h,
            name=f"丙{tag}{i}",
            returnee=True,
            erased_at=now,
        )
        card = f.card(household=h, actor=None)
        made.append((h, card))
        first_residents.append(first)

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
    if manager is not None:
        populate_care(compound, first_residents, manager, households=[h for h, _c in made])
        populate_duty(compound, [h for h, _c in made], manager, tag=tag)
    return gate_


def populate_care(compound, people, manager, *, households):
    """Quarantines (home since two days ago: one check made, one missed, today's due;
    central since today, checked; one ended today; one starting tomorrow) and rounds
    (an old one all visited, the latest partly)."""
    today = timezone.localdate()
    home = quarantine_services.quarantine_start(
        resident=people[0],
        actor=manager,
        reason="returnee",
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=11),
    )
    first_check = home.checks.get(day=today - timedelta(days=2))
    quarantine_services.quarantine_check_record(
        check=first_check, actor=manager, temperature=Decimal("36.6")
    )
    central = quarantine_services.quarantine_start(
        resident=people[1],
        actor=manager,
        reason="close_contact",
        kind="central",
        site_name="颐和医院",
    )
    quarantine_services.quarantine_check_record(
        check=central.checks.get(day=today), actor=manager, temperature=Decimal("36.4")
    )
    if len(people) > 2:
        ended = quarantine_services.quarantine_start(
            resident=people[2], actor=manager, reason="other", starts_on=today - timedelta(days=3)
        )
        quarantine_services.quarantine_end(quarantine=ended, actor=manager, reason="解除", on=today)
    if len(people) > 3:
        quarantine_services.quarantine_start(
            resident=people[3],
            actor=manager,
            reason="returnee",
            starts_on=today + timedelta(days=1),
        )
    old, _n = round_services.round_open(
        compound=compound,
        actor=manager,
        number=1,
        title="第1轮",
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=8),
    )
    for visit in old.visits.all():
        round_services.visit_record(
            visit=visit,
            client_id=uuid.uuid4(),
            actor=manager,
            result="everyone",
            recorded_at=timezone.now() - timedelta(days=9),
        )
    latest, _n = round_services.round_open(
        compound=compound,
        actor=manager,
        number=2,
        title="第2轮",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    visits = list(latest.visits.order_by("household_id"))
    for visit, result in zip(visits, ("everyone", "nobody", "refused"), strict=False):
        round_services.visit_record(
            visit=visit, client_id=uuid.uuid4(), actor=manager, result=result
        )


def populate_duty(compound, households, manager, *, tag):
    """A patrol running now with one of its two signed in, a shift in six hours nobody
    took, a run today with two bags (one delivered), and help requests."""
    now = timezone.now()
    member = people.member_add(compound=compound, name=f"志愿{tag}", actor=manager)
    other = people.member_add(compound=compound, name=f"值守{tag}", actor=manager)
    post = roster_services.post_save(
        compound=compound, actor=manager, name=f"巡逻{tag}", kind="patrol", needed=2
    )
    running = roster_services.shift_add(
        post=post,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        actor=manager,
    )
    duty.sign_in(assignment=duty.assign(shift=running, member=member, actor=manager), actor=manager)
    duty.assign(shift=running, member=other, actor=manager)  # assigned, not signed in
    roster_services.shift_add(
        post=post,
        starts_at=now + timedelta(hours=6),
        ends_at=now + timedelta(hours=10),
        actor=manager,
    )
    run = supply_services.run_create(
        compound=compound,
        date=timezone.localdate(),
        cutoff_at=now + timedelta(hours=2),
        actor=manager,
    )
    orders = [
        supply_services.order_save(
            run=run, household=h, lines=[supply_services.LineInput(name="白菜")], actor=manager
        )
        for h in households[:2]
    ]
    list_services.order_deliver(order=orders[0], state="at_door", actor=manager)
    for urgency in (1, 2, 3):
        request = help_services.help_request_create(
            compound=compound,
            channel="phone",
            kind="medicine",
            summary="降压药",
            actor=manager,
            urgency=urgency,
        )
    help_services.help_request_move(request=request, state="resolved", actor=manager)
    urgent_done = help_services.help_request_create(
        compound=compound,
        channel="phone",
        kind="medical",
        summary="胸痛",
        actor=manager,
        urgency=1,
    )
    help_services.help_request_move(request=urgent_done, state="resolved", actor=manager)


def straight_from_the_tables(compound, moment):
    """Every figure counted the plain way: rows read whole, rules applied in Python."""
    day, now = moment.day, moment.now
    passages = Passage.objects.filter(
        compound=compound, occurred_at__gte=moment.start, occurred_at__lt=moment.end
    )
    allowed = passages.filter(verdict="allowed")
    out_now = list(gate_selectors.households_out_now(compound=compound, at=now))
    living = Resident.objects.filter(household__compound=compound, erased_at__isnull=True)
    stays = [
        q
        for q in Quarantine.objects.filter(compound=compound).select_related("resident")
        if q.starts_on <= day <= q.ends_on
        and (q.ended_on is None or q.ended_on > day)
        and q.resident.erased_at is None
    ]
    live_stays = {
        q.pk
        for q in Quarantine.objects.filter(compound=compound)
        if q.ended_on is None or q.ended_on > day
    }
    unchecked = [
        c
        for c in QuarantineCheck.objects.filter(compound=compound, checked_at__isnull=True)
        if c.quarantine_id in live_stays and c.day <= day
    ]
    rounds = [r for r in Round.objects.filter(compound=compound) if r.starts_on <= day]
    latest = max(rounds, key=lambda r: r.number) if rounds else None
    latest_visits = list(Visit.objects.filter(round=latest)) if latest else []
    visited = sum(1 for v in latest_visits if v.done)
    shifts = [
        s
        for s in Shift.objects.filter(post__compound=compound, post__active=True)
        if s.cancelled_at is None
    ]
    short_now = short_next = 0
    for shift in shifts:
        live = [a for a in shift.assignments.all() if a.cancelled_at is None]
        signed = [a for a in live if a.signed_in_at and not a.signed_out_at]
        if shift.starts_at <= now < shift.ends_at and len(signed) < shift.needed:
            short_now += 1
        elif now < shift.starts_at < now + timedelta(hours=24) and len(live) < shift.needed:
            short_next += 1
    duties = [
        a
        for a in Assignment.objects.filter(shift__post__compound=compound).select_related("shift")
        if a.cancelled_at is None and a.shift.cancelled_at is None and a.signed_in_at
    ]
    requests = list(HelpRequest.objects.filter(compound=compound).select_related("fever_alert"))
    orders = list(Order.objects.filter(run__compound=compound, run__date=day))
    alerts = FeverAlert.objects.filter(compound=compound)

    def within(at):
        return at is not None and moment.start <= at < moment.end

    return {
        "register.households": Household.objects.filter(compound=compound).count(),
        "register.residents": living.count(),
        "register.returnees": living.filter(returnee=True).count(),
        "register.returnees_new": living.filter(returnee=True, returned_on=day).count(),
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
        "quarantine.home": len({q.resident_id for q in stays if q.kind == "home"}),
        "quarantine.central": len({q.resident_id for q in stays if q.kind == "central"}),
        "quarantine.people": len(stays),
        "quarantine.households": len({q.household_id for q in stays if q.kind == "home"}),
        "quarantine.checks_open": sum(1 for c in unchecked if c.day == day),
        "quarantine.checks_missed": sum(1 for c in unchecked if c.day < day),
        "rounds.households": len(latest_visits),
        "rounds.visited": visited,
        "rounds.coverage": visited * 100 // len(latest_visits) if latest_visits else 0,
        "rounds.nobody_home": sum(1 for v in latest_visits if v.result == "nobody"),
        "rounds.visited_today": sum(
            1 for v in Visit.objects.filter(compound=compound) if v.done and within(v.visited_at)
        ),
        "rounds.under_way": sum(1 for r in rounds if r.ends_on >= day and r.closed_at is None),
        "roster.short_now": short_now,
        "roster.short_next": short_next,
        "roster.on_duty_now": len(
            {
                a.member_id
                for a in duties
                if a.shift.starts_at <= now < a.shift.ends_at and not a.signed_out_at
            }
        ),
        "roster.on_duty_day": len({a.member_id for a in duties if a.shift.day == day}),
        "help.urgent_open": sum(
            1 for r in requests if r.urgency <= 2 and state_of(r)[0] != "resolved"
        ),
        "help.opened": sum(1 for r in requests if within(r.created_at)),
        "help.resolved": sum(1 for r in requests if within(r.resolved_at)),
        "supplies.orders": len(orders),
        "supplies.delivered": sum(1 for o in orders if o.state in Order.DELIVERED),
    }


@pytest.fixture
def town(compound_a, compound_b, volunteer, volunteer_b, officer):
    populate(compound_a, volunteer, households=4, manager=officer)
    populate(compound_b, volunteer_b, households=3, tag="x", manager=officer)
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
    assert a["fevers.open"] == 2 and a["register.returnees_new"] == 1
    assert a["quarantine.home"] == 1 and a["quarantine.central"] == 1
    assert a["quarantine.checks_open"] == 1 and a["quarantine.checks_missed"] == 1
    assert a["rounds.households"] == 4 and a["rounds.visited"] == 2
    assert a["rounds.coverage"] == 50 and a["rounds.nobody_home"] == 1
    assert a["rounds.visited_today"] == 2 and a["rounds.under_way"] == 1
    assert a["roster.short_now"] == 1 and a["roster.short_next"] == 1
    assert a["roster.on_duty_now"] == 1 and a["roster.on_duty_day"] in (0, 1)
    assert a["help.urgent_open"] == 2 and a["help.opened"] == 4 and a["help.resolved"] == 2
    assert a["supplies.orders"] == 2 and a["supplies.delivered"] == 1


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
            assert as_secretary.get(figure.href, follow=True).status_code == 200, figure.href
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
        if figure.ratio:  # a share: of the summed parts, never a sum of shares
            part, whole = (sum(r.get(k) for r in rows) for k in figure.ratio)
            assert total == registry.percent(part, whole) and whole > 0, figure.key
        else:
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
    """Every statement a page sends, transaction control included, as the benchmark
    counts them (the pages read outside any transaction)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_compounds_or_passages(
    as_officer, as_secretary, town, community, officer
):
    home = reverse("home")
    report = reverse("dashboard:report")
    page = reverse("compound-home", args=[town[0].pk])
    before = [_queries(as_officer, u) for u in (home, report, page)]
    secretary_before = _queries(as_secretary, page)
    for i in range(3):
        c = f.compound(community=community, name=f"加{i}")
        officer = type(officer).objects.get(pk=officer.pk)  # its roles, read again
        populate(c, f.user(f"vv{i}"), households=3, tag=f"z{i}", manager=officer)
    populate(town[0], f.user("more"), households=5, tag="m", manager=officer)
    after = [_queries(as_officer, u) for u in (home, report, page)]
    assert after == before
    assert _queries(as_secretary, page) == secretary_before
    # The benchmark's figures: the officer's overview, the secretary's compound page
    # (an officer's page costs one query more: the community's compounds for the tabs).
    assert after[0] <= MAX_QUERIES and secretary_before <= MAX_QUERIES


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
    assert items[quarantined] == expected["quarantine.home"] > 0
    assert items[fevers] == expected["fevers.raised"]
    # Every line: the sum of its figures over the compounds (a share, of the sums).
    ratios = {f.key: f.ratio for f in registry.figures() if f.ratio}
    with translation.override("zh-hans"):
        for area in registry.areas():
            for line in area.report:
                want = 0
                for key in line.keys:
                    if key in ratios:
                        part, whole = ratios[key]
                        want += registry.percent(expected[part], expected[whole])
                    else:
                        want += expected[key]
                assert items[str(line.label)] == want, line.label
        coverage = gettext("Latest rounds' coverage (%)")
    assert items[coverage] == 57  # 4 visited of 7, not (50 + 66) / 2
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


@pytest.mark.parametrize("day", ["1970-01-01", "2999-01-01", "2026-02-30", "明天", "1" * 40])
def test_a_report_for_a_day_out_of_range_is_refused_and_today_is_shown(as_officer, town, day):
    response = as_officer.get(reverse("dashboard:report"), {"day": day})
    assert response.status_code == 200
    assert response.context["form"].errors["day"]
    assert response.context["moment"].day == timezone.localdate()
    assert b'class="errorlist' in response.content


def test_the_gaps_link_of_a_compound_lists_that_compound_only(as_officer, town, compound_a):
    url = reverse("rosters:gaps")
    everything = as_officer.get(url).context["gaps"]
    mine = as_officer.get(url, {"compound": compound_a.pk}).context["gaps"]
    assert {g.post.compound_id for g in everything} == {c.pk for c in town}
    assert mine and {g.post.compound_id for g in mine} == {compound_a.pk}
    # Another community's compound, or garbage: nothing, never someone else's gaps.
    for other in ("999999", "-1", "abc", "9" * 30):
        assert as_officer.get(url, {"compound": other}).context["gaps"] == []


def test_a_central_site_counts_the_people_staying_at_it_once(
    as_officer, officer, community, compound_a, resident_a
):
    """A stay at a site counts at the home compound (central quarantine) and, on the
    site's own page, as a person staying there; the overview's totals count it once."""
    site = f.compound(community=community, name="颐和医院", kind="site")
    quarantine_services.quarantine_start(
        resident=resident_a, actor=officer, reason="close_contact", kind="central", site=site
    )
    response = as_officer.get(reverse("compound-home", args=[site.pk]))
    assert response.status_code == 200
    areas = {area.key: area for area in response.context["areas"]}
    assert set(areas) == {"fevers", "quarantine", "roster"}  # no register, gate, rounds…
    shown = {fig.key: fig.value for fig in areas["quarantine"].figures}
    assert shown == {"quarantine.at_site": 1}
    html = response.content.decode()
    assert 'id="area-quarantine"' in html and 'id="area-gate"' not in html
    computed = registry.compute_all([site.pk, compound_a.pk], Moment.today())
    assert computed[compound_a.pk]["quarantine.central"] == 1
    assert computed[site.pk]["quarantine.central"] == 0
    total = registry.totals(computed)
    assert total["quarantine.central"] + total["quarantine.home"] == 1


def test_a_help_request_with_a_fever_follows_its_alert(officer, compound_a):
    """A request that raised a fever alert is open while the alert is, and resolved
    the day the alert is (the help list's rule, ``state_of``)."""
    from residents.services import fever_alert_handle

    request = help_services.help_request_create(
        compound=compound_a,
        channel="phone",
        kind="medical",
        summary="发烧",
        actor=officer,
        urgency=1,
        temperature=Decimal("38.6"),
    )
    assert request.fever_alert_id is not None
    before = registry.compute_all([compound_a.pk], Moment.today())[compound_a.pk]
    assert before["help.urgent_open"] == 1 and before["help.resolved"] == 0
    fever_alert_handle(alert=request.fever_alert, status="resolved", actor=officer)
    after = registry.compute_all([compound_a.pk], Moment.today())[compound_a.pk]
    assert after["help.urgent_open"] == 0 and after["help.resolved"] == 1
    assert state_of(HelpRequest.objects.get(pk=request.pk))[0] == "resolved"
