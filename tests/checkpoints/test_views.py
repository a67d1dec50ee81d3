"""The gate office pages: cards and their print sheet, logs, who is out, rules, alerts."""

import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from checkpoints import services
from checkpoints.codes import display_number
from checkpoints.errors import CheckpointError
from checkpoints.models import CompoundRules, Passage, PassCard, RefusedUpload, WorkPass
from checkpoints.selectors import HOME_ALERTS
from compounds.models import AuditEntry, Building
from residents import services as registry
from residents.models import FeverAlert, HealthRules
from tests import factories as f


@pytest.fixture
def card_a(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


@pytest.fixture
def record(gate_a, volunteer):
    def do(code, *, direction="out", temperature="36.5", when=None, opening=None, **kw):
        return services.passage_record(
            opening=opening or gate_a,
            code=code,
            direction=direction,
            temperature=Decimal(temperature),
            actor=kw.pop("actor", volunteer),
            client_id=uuid.uuid4(),
            recorded_at=when,
            **kw,
        ).passage

    return do


@pytest.fixture
def alert_a(card_a, record):
    return record(card_a.number, temperature="38.4").fever_alert


def url(name, compound, *args):
    return reverse(f"checkpoints:{name}", args=[compound.pk, *args])


# --- The cast on every page ------------------------------------------------------------

MANAGE_PAGES = [
    "cards",
    "cards-print",
    "household-card",
    "log-export",
    "log-refused",
    "work-passes",
]
VOLUNTEER_PAGES = ["log", "out-now", "household-history", "rules", "alerts"]


@pytest.fixture
def page_url(compound_a, household_a, resident_a):
    extra = {
        "household-card": [household_a.pk],
        "household-history": [household_a.pk],
        "work-passes": [resident_a.pk],
    }

    def build(name):
        return url(name, compound_a, *extra.get(name, []))

    return build


@pytest.mark.parametrize("name", sorted(set(MANAGE_PAGES + VOLUNTEER_PAGES)))
@pytest.mark.parametrize("who", ["as_officer", "as_secretary"])
def test_managers_open_every_gate_office_page(request, page_url, name, who):
    response = request.getfixturevalue(who).get(page_url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", VOLUNTEER_PAGES)
def test_volunteer_opens_the_read_pages(as_volunteer, page_url, name):
    response = as_volunteer.get(page_url(name))
    assert response.status_code == 200
    assert response.context["compound"].name == "绿景水岸"


@pytest.mark.parametrize("name", sorted(set(MANAGE_PAGES)))
def test_volunteer_is_refused_the_manage_pages(as_volunteer, page_url, name):
    assert as_volunteer.get(page_url(name)).status_code == 403


@pytest.mark.parametrize("name", sorted(set(MANAGE_PAGES + VOLUNTEER_PAGES)))
def test_volunteer_of_another_compound_gets_404(as_volunteer_b, page_url, name):
    assert as_volunteer_b.get(page_url(name)).status_code == 404


@pytest.mark.parametrize("name", sorted(set(MANAGE_PAGES + VOLUNTEER_PAGES)))
def test_anonymous_is_sent_to_login(client, page_url, name):
    response = client.get(page_url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_household_of_another_compound_is_404_inside_a_visible_compound(
    as_secretary, compound_a, household_b
):
    # Compound A is the secretary's, but the household id belongs to compound B.
    for name in ("household-card", "household-history"):
        assert as_secretary.get(url(name, compound_a, household_b.pk)).status_code == 404


def test_resident_of_another_compound_is_404_on_work_passes(as_secretary, compound_a, household_b):
    outsider = f.resident(household=household_b)
    assert as_secretary.get(url("work-passes", compound_a, outsider.pk)).status_code == 404


# --- Cards -----------------------------------------------------------------------------


def test_cards_page_lists_households_with_their_card(as_secretary, compound_a, card_a, building_a):
    bare = f.household(building=building_a, room="1801")
    response = as_secretary.get(url("cards", compound_a))
    body = response.content.decode()
    assert display_number(card_a.number) in body
    assert bare.address in body
    assert response.context["without_card"] == 1


def test_cards_page_filters_by_building(as_secretary, compound_a, household_a):
    other = f.building(compound=compound_a, number="21")
    f.household(building=other, room="101")
    response = as_secretary.get(url("cards", compound_a), {"building": other.pk})
    rows = [h.address for h in response.context["page"].object_list]
    assert rows == ["21-101"]


def test_issue_missing_cards_gives_every_household_one(
    as_secretary, compound_a, household_a, building_a
):
    f.household(building=building_a, room="1801")
    response = as_secretary.post(url("cards", compound_a), follow=True)
    assert response.status_code == 200
    assert PassCard.objects.filter(compound=compound_a, state="active").count() == 2
    assert "2" in str(list(response.context["messages"])[0])


def test_volunteer_cannot_issue_missing_cards(as_volunteer, compound_a, household_a):
    assert as_volunteer.post(url("cards", compound_a)).status_code == 403
    assert not PassCard.objects.exists()


def test_cards_page_queries_stay_bounded(
    as_secretary, compound_a, building_a, django_assert_max_num_queries
):
    for room in range(30):
        f.card(household=f.household(building=building_a, room=f"{room + 1:02d}01"))
    with django_assert_max_num_queries(10):
        response = as_secretary.get(url("cards", compound_a))
    assert len(response.context["page"].object_list) == 30


def test_secretary_issues_a_card_to_a_household_without_one(as_secretary, compound_a, household_a):
    response = as_secretary.post(
        url("household-card", compound_a, household_a.pk), {"action": "issue"}
    )
    assert response.status_code == 302
    card = PassCard.objects.get(household=household_a)
    assert card.state == "active"
    assert AuditEntry.objects.filter(action="card_issue", object_id=household_a.pk).exists()


def test_issuing_a_second_card_is_refused_with_the_services_message(
    as_secretary, compound_a, household_a, card_a
):
    response = as_secretary.post(
        url("household-card", compound_a, household_a.pk), {"action": "issue"}, follow=True
    )
    assert "already has an active card" in str(list(response.context["messages"])[0])
    assert PassCard.objects.filter(household=household_a).count() == 1


def test_reissue_revokes_the_old_card_and_the_gate_refuses_it(
    as_secretary, compound_a, household_a, card_a, record
):
    as_secretary.post(url("household-card", compound_a, household_a.pk), {"action": "reissue"})
    old = services.find_card(card_a.number)
    assert (old.state, old.revoke_reason) == ("revoked", "reissued")
    new = PassCard.objects.get(household=household_a, state="active")
    assert new.number != card_a.number
    assert record(card_a.secret).reason == "card_revoked"
    page = as_secretary.get(url("household-card", compound_a, household_a.pk)).content.decode()
    assert display_number(new.number) in page and display_number(card_a.number) in page


def test_revoke_as_lost_leaves_the_household_without_a_card(
    as_secretary, compound_a, household_a, card_a, record
):
    as_secretary.post(url("household-card", compound_a, household_a.pk), {"action": "revoke_lost"})
    old = services.find_card(card_a.number)
    assert (old.state, old.revoke_reason) == ("revoked", "lost")
    assert not PassCard.objects.filter(household=household_a, state="active").exists()
    assert record(card_a.number).reason == "card_revoked"


def test_revoke_without_a_card_shows_a_message_and_changes_nothing(
    as_secretary, compound_a, household_a
):
    response = as_secretary.post(
        url("household-card", compound_a, household_a.pk), {"action": "revoke_lost"}, follow=True
    )
    assert "no active card" in str(list(response.context["messages"])[0])
    assert not PassCard.objects.exists()


def test_volunteer_cannot_revoke_a_card(as_volunteer, compound_a, household_a, card_a):
    response = as_volunteer.post(
        url("household-card", compound_a, household_a.pk), {"action": "revoke_lost"}
    )
    assert response.status_code == 403
    assert services.find_card(card_a.number).state == "active"


# --- The print sheet -------------------------------------------------------------------


def test_print_sheet_has_a_qr_per_card_and_the_numbers_but_never_the_secret(
    as_secretary, compound_a, building_a, household_a
):
    cards = [f.card(household=household_a)] + [
        f.card(household=f.household(building=building_a, room=f"{n}01")) for n in range(2, 11)
    ]
    response = as_secretary.get(url("cards-print", compound_a))
    body = response.content.decode()
    assert body.count("<svg") == 10
    assert body.count('class="sheet"') == 2  # 8 on the first page, 2 on the second
    for card in cards:
        assert display_number(card.number) in body
        assert card.secret not in body
    assert "@page" not in body  # the print rules live in the stylesheet
    assert "cards.css" in body
    assert "绿景水岸" in body and household_a.address in body


def test_print_sheet_prints_one_building_at_a_time(as_secretary, compound_a, household_a):
    card_20 = f.card(household=household_a)
    other = f.building(compound=compound_a, number="21")
    card_21 = f.card(household=f.household(building=other, room="101"))
    body = as_secretary.get(url("cards-print", compound_a), {"building": other.pk}).content.decode()
    assert display_number(card_21.number) in body
    assert display_number(card_20.number) not in body
    assert body.count("<svg") == 1


def test_print_sheet_skips_revoked_cards_and_shows_the_rules(as_secretary, compound_a, card_a):
    services.card_revoke(card=card_a, actor=None, reason="lost")
    CompoundRules.objects.filter(compound=compound_a).update(quota_days=3)
    HealthRules.objects.filter(compound=compound_a).update(fever_line="37.5")
    body = as_secretary.get(url("cards-print", compound_a)).content.decode()
    assert "<svg" not in body
    fresh = f.card(household=card_a.household)
    response = as_secretary.get(url("cards-print", compound_a))
    body = response.content.decode()
    assert display_number(fresh.number) in body
    quota, fever, *_rest = response.context["lines"]
    assert "3" in quota and "2" not in quota
    assert "37.5" in fever
    for line in response.context["lines"]:
        assert escape(line) in body
    assert "0790-6666666" in body  # the community's hotline


def test_print_stylesheet_sets_a4_and_print_media():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "cards.css").read_text()
    assert "@media print" in css and "size: A4" in css and "margin: 10mm" in css


# --- The log and its export ------------------------------------------------------------


def test_log_shows_todays_passages_with_labels(as_volunteer, compound_a, card_a, record):
    record(card_a.number)
    record(card_a.number)  # the second exit is denied: quota used
    response = as_volunteer.get(url("log", compound_a))
    body = response.content.decode()
    assert response.context["page"].paginator.count == 2
    assert "exit quota used" in body
    assert card_a.household.address in body


def test_log_filters_by_verdict_direction_opening_and_reason(
    as_volunteer, compound_a, card_a, record, gate_a
):
    north = f.opening(compound=compound_a, name="北门")
    record(card_a.number)  # allowed out at 南门
    record(card_a.number, opening=north)  # denied: quota used, at 北门
    record(card_a.number, direction="in", opening=north)  # allowed in at 北门

    def count(**params):
        return as_volunteer.get(url("log", compound_a), params).context["page"].paginator.count

    assert count(verdict="denied") == 1
    assert count(reason="quota_used") == 1
    assert count(direction="in") == 1
    assert count(opening=north.pk) == 2
    assert count(opening=gate_a.pk, verdict="allowed") == 1


def test_log_of_another_day_is_empty_and_defaults_to_today(
    as_volunteer, compound_a, card_a, record
):
    record(card_a.number)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = as_volunteer.get(url("log", compound_a), {"day": yesterday})
    assert response.context["page"].paginator.count == 0
    response = as_volunteer.get(url("log", compound_a), {"day": "not-a-day"})
    assert response.context["day"] == timezone.localdate()
    assert response.context["page"].paginator.count == 1


def test_log_shows_passages_of_an_earlier_day_when_asked(as_volunteer, compound_a, card_a, record):
    when = timezone.now() - timedelta(days=2)
    record(card_a.number, when=when)
    day = timezone.localtime(when).date().isoformat()
    response = as_volunteer.get(url("log", compound_a), {"day": day})
    assert response.context["page"].paginator.count == 1
    assert response.context["page"][0].late
    assert '<span class="badge amber">late</span>' in response.content.decode()


def test_log_is_paginated(as_volunteer, compound_a, card_a, record):
    for _ in range(55):
        record(card_a.number, direction="in")
    first = as_volunteer.get(url("log", compound_a))
    assert len(first.context["page"].object_list) == 50
    second = as_volunteer.get(url("log", compound_a), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_log_queries_stay_bounded(
    as_volunteer, compound_a, building_a, gate_a, volunteer, django_assert_max_num_queries
):
    for n in range(20):
        card = f.card(household=f.household(building=building_a, room=f"{n + 1:02d}02"))
        services.passage_record(
            opening=gate_a,
            code=card.number,
            direction="out",
            temperature=Decimal("36.6"),
            actor=volunteer,
            client_id=uuid.uuid4(),
        )
    with django_assert_max_num_queries(10):
        response = as_volunteer.get(url("log", compound_a))
    assert response.context["page"].paginator.count == 20


@pytest.fixture
def refused_a(card_a, gate_a, volunteer):
    with pytest.raises(CheckpointError):
        services.passage_record(
            opening=gate_a,
            code=card_a.number,
            direction="out",
            temperature=Decimal("36.6"),
            actor=volunteer,
            client_id=uuid.uuid4(),
            recorded_at=datetime(1970, 1, 1, tzinfo=UTC),
        )
    return RefusedUpload.objects.get()


def test_secretary_sees_refused_uploads_on_the_log_page(as_secretary, compound_a, refused_a):
    log_page = as_secretary.get(url("log", compound_a)).content.decode()
    assert url("log-refused", compound_a) in log_page  # the tab
    response = as_secretary.get(url("log-refused", compound_a))
    page = response.content.decode()
    assert response.context["page"].paginator.count == 1
    assert "1970-01-01T00:00:00+00:00" in page  # the device time, as sent
    assert "The device&#x27;s clock is too far behind" in page or "too old" in page
    assert "volunteer" in page and display_number(refused_a.body["card"]) in page


def test_refused_uploads_of_another_compound_are_not_listed(as_officer, compound_b, refused_a):
    response = as_officer.get(url("log-refused", compound_b))
    assert response.context["page"].paginator.count == 0


def test_volunteers_see_no_refused_uploads(as_volunteer, as_volunteer_b, compound_a, refused_a):
    assert (
        url("log-refused", compound_a)
        not in as_volunteer.get(url("log", compound_a)).content.decode()
    )
    assert as_volunteer.get(url("log-refused", compound_a)).status_code == 403
    assert as_volunteer_b.get(url("log-refused", compound_a)).status_code == 404


def test_refused_uploads_are_paged(as_secretary, compound_a, gate_a, volunteer):
    RefusedUpload.objects.bulk_create(
        RefusedUpload(
            compound=compound_a,
            opening=gate_a,
            volunteer=volunteer,
            code="recorded_too_old",
            device_time="1970-01-01T00:00:00Z",
            body={},
            received_at=timezone.now(),
        )
        for _ in range(55)
    )
    first = as_secretary.get(url("log-refused", compound_a))
    assert len(first.context["page"].object_list) == 50
    second = as_secretary.get(url("log-refused", compound_a), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_log_export_is_an_xlsx_with_the_filtered_rows(as_secretary, compound_a, card_a, record):
    record(card_a.number)
    record(card_a.number)  # denied
    response = as_secretary.get(url("log-export", compound_a), {"verdict": "denied"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2  # header + the one denied passage
    header, row = rows
    assert header[0] == "Time" and "Reason" in header
    assert isinstance(row[0], datetime)
    assert row[1:8] == (
        "南门",
        card_a.household.address,
        None,
        "out",
        36.5,
        "denied",
        "exit quota used",
    )
    assert "attachment" in response["Content-Disposition"]


def test_log_export_is_recorded_once_with_the_day_and_row_count(
    as_secretary, secretary, compound_a, card_a, record
):
    record(card_a.number)
    record(card_a.number)
    as_secretary.get(url("log-export", compound_a))
    entries = AuditEntry.objects.filter(action="export_gate_log")
    day = timezone.localdate().isoformat()
    assert [(e.compound_id, e.actor, e.changes) for e in entries] == [
        (compound_a.pk, secretary, {"rows": 2, "day": day})
    ]


def test_refused_log_export_is_not_recorded(as_volunteer, compound_a, card_a, record):
    record(card_a.number)
    assert as_volunteer.get(url("log-export", compound_a)).status_code == 403
    assert not AuditEntry.objects.filter(action="export_gate_log").exists()


def test_log_export_of_all_passages_of_the_day(
    as_officer, compound_a, card_a, record, gate_b, household_b
):
    record(card_a.number)
    record(card_a.number, direction="in")
    services.passage_record(  # compound B's gate: never in A's export
        opening=gate_b,
        code=f.card(household=household_b).number,
        direction="out",
        temperature=Decimal("36.6"),
        actor=f.user("vb"),
        client_id=uuid.uuid4(),
    )
    response = as_officer.get(url("log-export", compound_a))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == ["in", "out"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_log_of_a_day_beyond_any_calendar_is_refused_with_a_message(
    as_volunteer, compound_a, card_a, record, day
):
    record(card_a.number)
    response = as_volunteer.get(url("log", compound_a), {"day": day})
    assert response.status_code == 200
    assert response.context["form"].errors["day"]
    assert response.context["day"] == timezone.localdate()
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_log_export_of_a_day_beyond_any_calendar_exports_today(
    as_secretary, compound_a, card_a, record, day
):
    record(card_a.number)
    response = as_secretary.get(url("log-export", compound_a), {"day": day})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.title == timezone.localdate().isoformat()
    assert ws.max_row == 2


# --- A household's passages and who is out --------------------------------------------


def test_household_history_shows_passages_and_next_exit(
    as_volunteer, compound_a, household_a, card_a, record
):
    record(card_a.number)
    response = as_volunteer.get(url("household-history", compound_a, household_a.pk))
    assert response.context["page"].paginator.count == 1
    status = response.context["status"]
    assert status.exit_allowed is False and status.next_exit_at is not None
    assert display_number(card_a.number) in response.content.decode()


def test_household_history_without_a_card_says_so(as_volunteer, compound_a, household_a):
    response = as_volunteer.get(url("household-history", compound_a, household_a.pk))
    assert response.context["card"] is None and response.context["status"] is None


def test_out_now_lists_households_out_and_flags_the_overdue(
    as_volunteer, compound_a, building_a, card_a, record
):
    record(card_a.number, when=timezone.now() - timedelta(hours=3))
    other = f.card(household=f.household(building=building_a, room="1801"))
    record(other.number)
    response = as_volunteer.get(url("out-now", compound_a))
    rows = {h.address: h.overdue for h in response.context["households"]}
    assert rows == {"20-1702": True, "20-1801": False}
    assert response.context["overdue_count"] == 1
    assert 'class="overdue"' in response.content.decode()


def test_out_now_shows_quota_breaches_from_late_uploads(as_volunteer, compound_a, card_a, record):
    record(card_a.number, when=timezone.now() - timedelta(minutes=30))
    record(card_a.number, when=timezone.now() - timedelta(minutes=20))  # late and over quota
    response = as_volunteer.get(url("out-now", compound_a))
    breaches = response.context["breaches"]
    assert [p.breach for p in breaches] == ["quota_used"]


# --- Rules and sealing -----------------------------------------------------------------


RULES = {
    "quota_mode": "calendar_days",
    "quota_exits": "1",
    "quota_days": "3",
    "quota_hours": "48",
    "fever_line": "37.5",
    "max_minutes_out": "90",
}


def test_secretary_saves_the_rules(as_secretary, compound_a):
    response = as_secretary.post(url("rules", compound_a), RULES)
    assert response.status_code == 302
    rules = CompoundRules.objects.get(compound=compound_a)
    assert (rules.quota_days, rules.fever_line, rules.max_minutes_out) == (3, Decimal("37.5"), 90)
    assert AuditEntry.objects.filter(action="rules_update").exists()


def test_fever_line_of_45_is_refused_and_nothing_is_saved(as_secretary, compound_a):
    response = as_secretary.post(url("rules", compound_a), {**RULES, "fever_line": "45"})
    assert response.status_code == 400
    assert response.context["form"].errors["fever_line"]
    rules = CompoundRules.objects.get(compound=compound_a)
    assert (rules.quota_days, rules.fever_line) == (2, Decimal("37.3"))
    assert not AuditEntry.objects.filter(action="rules_update").exists()


def test_zero_exits_per_period_is_refused(as_secretary, compound_a):
    response = as_secretary.post(url("rules", compound_a), {**RULES, "quota_exits": "0"})
    assert response.context["form"].errors["quota_exits"]
    assert CompoundRules.objects.get(compound=compound_a).quota_days == 2


def test_volunteer_sees_the_rules_but_cannot_change_them(as_volunteer, compound_a):
    page = as_volunteer.get(url("rules", compound_a))
    assert page.status_code == 200 and "37.3" in page.content.decode()
    assert as_volunteer.post(url("rules", compound_a), RULES).status_code == 403
    assert CompoundRules.objects.get(compound=compound_a).quota_days == 2


def test_rules_page_shows_the_openings_states(as_volunteer, compound_a, gate_a):
    f.opening(compound=compound_a, name="西侧小门", state="sealed")
    body = as_volunteer.get(url("rules", compound_a)).content.decode()
    assert "南门" in body and "西侧小门" in body


def test_secretary_seals_and_unseals_a_building(as_secretary, compound_a, building_a):
    as_secretary.post(
        url("rules", compound_a), {"action": "seal", "building": building_a.pk, "sealed": "1"}
    )
    building_a.refresh_from_db()
    assert building_a.sealed and building_a.sealed_since
    as_secretary.post(
        url("rules", compound_a), {"action": "seal", "building": building_a.pk, "sealed": "0"}
    )
    building_a.refresh_from_db()
    assert not building_a.sealed
    assert AuditEntry.objects.filter(action__in=["seal", "unseal"]).count() == 2


def test_sealing_a_building_of_another_compound_is_404(as_secretary, compound_a, building_b):
    response = as_secretary.post(
        url("rules", compound_a), {"action": "seal", "building": building_b.pk, "sealed": "1"}
    )
    assert response.status_code == 404
    assert not Building.objects.get(pk=building_b.pk).sealed


def test_volunteer_cannot_seal_a_building(as_volunteer, compound_a, building_a):
    response = as_volunteer.post(
        url("rules", compound_a), {"action": "seal", "building": building_a.pk, "sealed": "1"}
    )
    assert response.status_code == 403
    building_a.refresh_from_db()
    assert not building_a.sealed


# --- Fever alerts ----------------------------------------------------------------------


def alert_url(compound, alert):
    return reverse("residents:alert", args=[compound.pk, alert.pk])


def test_alert_page_shows_the_reading_and_the_gate_where_it_was_taken(
    as_volunteer, compound_a, alert_a, volunteer
):
    body = as_volunteer.get(alert_url(compound_a, alert_a)).content.decode()
    assert "38.4" in body and "20-1702" in body
    # The gate's panel on the person's alert page: which opening, which volunteer.
    assert 'id="panel-gate-passage"' in body and "南门" in body
    assert volunteer.get_username() in body


def test_compound_home_links_each_alert_to_its_page(as_volunteer, compound_a, alert_a):
    body = as_volunteer.get(reverse("compound-home", args=[compound_a.pk])).content.decode()
    assert alert_url(compound_a, alert_a) in body


def _open_alerts(n, *, opening, household, volunteer):
    """``n`` open gate fever alerts in one insert each for alerts and passages, newest first."""
    now = timezone.now()
    alerts = FeverAlert.objects.bulk_create(
        FeverAlert(
            compound=opening.compound,
            source=FeverAlert.Source.GATE,
            household=household,
            temperature=Decimal("38.5"),
            created_at=now - timedelta(minutes=i),
        )
        for i in range(n)
    )
    if alerts and alerts[0].pk is None:  # backends that return no ids from bulk inserts
        alerts = list(FeverAlert.objects.filter(compound=opening.compound).order_by("-created_at"))
    Passage.objects.bulk_create(
        Passage(
            compound=opening.compound,
            opening=opening,
            household=household,
            direction="out",
            temperature=a.temperature,
            occurred_at=a.created_at,
            received_at=a.created_at,
            volunteer=volunteer,
            verdict="denied",
            reason="fever",
            fever=True,
            fever_alert=a,
            client_id=uuid.uuid4(),
        )
        for a in alerts
    )
    return alerts


def test_compound_home_shows_the_newest_alerts_their_count_and_a_link_to_all(
    as_secretary, compound_a, gate_a, household_a, volunteer
):
    alerts = _open_alerts(966, opening=gate_a, household=household_a, volunteer=volunteer)
    response = as_secretary.get(reverse("compound-home", args=[compound_a.pk]))
    body = response.content.decode()
    shown = response.context["fever_alerts"]
    assert [a.pk for a in shown] == [a.pk for a in alerts[:HOME_ALERTS]]
    assert response.context["fever_alert_count"] == 966
    assert "All 966 open alerts" in body and url("alerts", compound_a) in body
    assert alert_url(compound_a, alerts[HOME_ALERTS]) not in body
    assert len(response.content) < 40_000


def test_compound_home_queries_do_not_grow_with_the_alerts(
    as_secretary, compound_a, gate_a, household_a, volunteer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    home = reverse("compound-home", args=[compound_a.pk])
    _open_alerts(HOME_ALERTS + 1, opening=gate_a, household=household_a, volunteer=volunteer)
    as_secretary.get(home)  # warm the session and the per-process caches
    with CaptureQueriesContext(connection) as few:
        as_secretary.get(home)
    _open_alerts(300, opening=gate_a, household=household_a, volunteer=volunteer)
    with CaptureQueriesContext(connection) as many:
        as_secretary.get(home)
    assert len(many) == len(few)


def test_compound_home_with_few_alerts_shows_them_all_without_a_link(
    as_volunteer, compound_a, alert_a
):
    response = as_volunteer.get(reverse("compound-home", args=[compound_a.pk]))
    assert response.context["fever_alert_count"] == 1
    assert alert_url(compound_a, alert_a) in response.content.decode()
    # The alerts panel has no "all alerts" link (the figures above it do link there).
    panel = response.content.decode().split('id="fever-alerts"')[1].split("</section>")[0]
    assert f'href="{url("alerts", compound_a)}"' not in panel


def test_alerts_page_lists_open_alerts_of_the_compound_a_page_at_a_time(
    as_volunteer, compound_a, gate_a, household_a, volunteer, secretary, gate_b, household_b
):
    alerts = _open_alerts(55, opening=gate_a, household=household_a, volunteer=volunteer)
    registry.fever_alert_handle(alert=alerts[0], status="resolved", actor=secretary)
    _open_alerts(3, opening=gate_b, household=household_b, volunteer=volunteer)
    first = as_volunteer.get(url("alerts", compound_a))
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 54
    assert [a.pk for a in first.context["page"].object_list] == [a.pk for a in alerts[1:51]]
    second = as_volunteer.get(url("alerts", compound_a), {"page": 2})
    assert len(second.context["page"].object_list) == 4


def test_alerts_page_queries_stay_bounded(
    as_volunteer, compound_a, gate_a, household_a, volunteer, django_assert_max_num_queries
):
    _open_alerts(60, opening=gate_a, household=household_a, volunteer=volunteer)
    with django_assert_max_num_queries(10):
        as_volunteer.get(url("alerts", compound_a))


# --- Work passes -----------------------------------------------------------------------


def test_secretary_adds_a_work_pass(as_secretary, compound_a, resident_a):
    today = timezone.localdate()
    response = as_secretary.post(
        url("work-passes", compound_a, resident_a.pk),
        {
            "work_unit": "市人民医院",
            "certificate": "证明 2020-031",
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    work_pass = WorkPass.objects.get(resident=resident_a)
    assert work_pass.work_unit == "市人民医院"
    page = as_secretary.get(url("work-passes", compound_a, resident_a.pk)).content.decode()
    assert "市人民医院" in page


def test_work_pass_ending_before_it_starts_is_refused(as_secretary, compound_a, resident_a):
    today = timezone.localdate()
    response = as_secretary.post(
        url("work-passes", compound_a, resident_a.pk),
        {
            "work_unit": "税务局",
            "certificate": "x",
            "valid_from": today.isoformat(),
            "valid_to": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_to"]
    assert not WorkPass.objects.exists()


def test_print_sheet_can_print_one_households_new_card(
    as_secretary, compound_a, household_a, building_a, django_assert_max_num_queries
):
    mine = f.card(household=household_a)
    f.card(household=f.household(building=building_a, room="1801"))
    with django_assert_max_num_queries(10):
        response = as_secretary.get(url("cards-print", compound_a), {"household": household_a.pk})
    body = response.content.decode()
    assert body.count("<svg") == 1 and display_number(mine.number) in body
