"""Quarantine: the one writer of the gate's flags, the daily checks, end-date history,
close contacts and the named contact."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone

from checkpoints.services import passage_record
from compounds.models import Compound
from residents.errors import ResidentError
from residents.models import FeverAlert, Household, Resident
from residents.quarantine import selectors
from residents.quarantine import services as q
from residents.quarantine.models import Quarantine, QuarantineCheck
from tests import factories as f

TODAY = timezone.localdate


@pytest.fixture
def member(household_a):
    return f.resident(household=household_a, name="李返乡", returnee=True)


def test_starting_a_quarantine_makes_14_days_of_check_rows_and_sets_both_flags(
    member, secretary, household_a
):
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    assert quarantine.ends_on == TODAY() + timedelta(days=14)
    days = list(quarantine.checks.values_list("day", flat=True))
    assert days == [TODAY() + timedelta(days=i) for i in range(15)]
    member.refresh_from_db()
    household_a.refresh_from_db()
    assert member.quarantine_until == household_a.quarantine_until == quarantine.ends_on


def test_the_secretary_can_say_a_home_quarantine_does_not_confine_the_household(
    member, secretary, household_a
):
    quarantine = q.quarantine_start(
        resident=member, actor=secretary, reason="returnee", confines_household=False
    )
    household_a.refresh_from_db()
    assert household_a.quarantine_until is None
    q.quarantine_confinement_set(quarantine=quarantine, actor=secretary, confines_household=True)
    household_a.refresh_from_db()
    assert household_a.quarantine_until == quarantine.ends_on


def test_each_flag_change_bumps_the_gate_version_of_the_household(member, secretary, household_a):
    before = household_a.gate_version
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    household_a.refresh_from_db()
    first = household_a.gate_version
    assert first > before
    q.quarantine_end(quarantine=quarantine, actor=secretary, reason="negative test")
    household_a.refresh_from_db()
    assert household_a.gate_version > first
    assert household_a.quarantine_until is None
    assert Resident.objects.get(pk=member.pk).quarantine_until is None


def test_a_quarantine_ending_before_it_starts_is_refused_and_nothing_is_saved(member, secretary):
    with pytest.raises(ResidentError) as refused:
        q.quarantine_start(
            resident=member,
            actor=secretary,
            reason="returnee",
            starts_on=TODAY(),
            ends_on=TODAY() - timedelta(days=1),
        )
    assert refused.value.code == "quarantine_ends_before_start"
    assert not Quarantine.objects.exists() and not QuarantineCheck.objects.exists()


def test_an_end_date_change_keeps_the_old_date_and_the_reason_and_moves_the_check_rows(
    member, secretary
):
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    old_end = quarantine.ends_on
    q.quarantine_end_change(
        quarantine=quarantine,
        actor=secretary,
        ends_on=old_end + timedelta(days=7),
        reason="contact turned positive",
    )
    change = quarantine.end_changes.get()
    assert (change.before, change.after, change.reason) == (
        old_end,
        old_end + timedelta(days=7),
        "contact turned positive",
    )
    assert quarantine.checks.count() == 22
    q.quarantine_end_change(
        quarantine=quarantine, actor=secretary, ends_on=old_end, reason="back to plan"
    )
    assert quarantine.checks.count() == 15
    assert quarantine.end_changes.count() == 2
    member.refresh_from_db()
    assert member.quarantine_until == old_end


def test_an_end_change_without_a_reason_is_refused(member, secretary):
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    with pytest.raises(ResidentError) as refused:
        q.quarantine_end_change(quarantine=quarantine, actor=secretary, ends_on=TODAY(), reason=" ")
    assert refused.value.code == "quarantine_reason_required"


def test_missed_checks_are_flagged_and_people_ending_today_are_listed(
    member, secretary, compound_a
):
    start = TODAY() - timedelta(days=3)
    q.quarantine_start(
        resident=member, actor=secretary, reason="returnee", starts_on=start, ends_on=TODAY()
    )
    yesterday = QuarantineCheck.objects.get(day=TODAY() - timedelta(days=1))
    q.quarantine_check_record(check=yesterday, actor=secretary, temperature=Decimal("36.4"))
    missed = [c.day for c in selectors.checks_missed(compound=compound_a)]
    assert missed == [start, start + timedelta(days=1)]
    assert [x.resident for x in selectors.ending_today(compound=compound_a)] == [member]
    assert [c.day for c in selectors.checks_due(compound=compound_a)] == [TODAY()]


def test_a_fever_in_a_check_raises_the_one_alert_on_the_secretarys_page_next_to_the_gates(
    member, secretary, volunteer, as_secretary, compound_a, household_a, gate_a
):
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    check = quarantine.checks.get(day=TODAY())
    recorded = q.quarantine_check_record(check=check, actor=volunteer, temperature=Decimal("38.4"))
    assert recorded.fever_alert.source == FeverAlert.Source.QUARANTINE_CHECK
    other = f.household(building=household_a.building, room="1801")
    card = f.card(household=other, actor=secretary)
    passage_record(
        opening=gate_a,
        code=card.number,
        direction="in",
        temperature=Decimal("38.9"),
        actor=volunteer,
        client_id=uuid4(),
    )
    assert set(FeverAlert.objects.values_list("source", flat=True)) == {"quarantine_check", "gate"}
    page = as_secretary.get(f"/c/{compound_a.pk}/gate/alerts/").content.decode()
    assert "38.4" in page and "38.9" in page


def test_a_reading_outside_34_to_43_in_a_check_is_refused(member, secretary):
    quarantine = q.quarantine_start(resident=member, actor=secretary, reason="returnee")
    check = quarantine.checks.get(day=TODAY())
    with pytest.raises(ResidentError) as refused:
        q.quarantine_check_record(check=check, actor=secretary, temperature=Decimal("45"))
    assert refused.value.code == "temperature_out_of_range"
    check.refresh_from_db()
    assert check.checked_at is None


def test_a_quarantined_resident_is_refused_at_the_gate(
    member, secretary, volunteer, household_a, gate_a
):
    card = f.card(household=household_a, actor=secretary)
    q.quarantine_start(
        resident=member, actor=secretary, reason="returnee", confines_household=False
    )
    decision = passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("36.5"),
        actor=volunteer,
        client_id=uuid4(),
        resident_id=member.pk,
    )
    assert decision.passage.reason == "quarantined"


def test_a_central_stay_is_seen_from_the_site_and_from_home(
    member, secretary, community, compound_a
):
    site = f.compound(community=community, name="颐和医院", kind=Compound.Kind.SITE)
    quarantine = q.quarantine_start(
        resident=member, actor=secretary, reason="close_contact", kind="central", site=site
    )
    assert list(selectors.active(compound=site)) == [quarantine]
    assert list(selectors.active(compound=compound_a)) == [quarantine]
    household = Household.objects.get(pk=member.household_id)
    assert household.quarantine_until is None  # a stay elsewhere confines nobody at home
    assert Resident.objects.get(pk=member.pk).quarantine_until == quarantine.ends_on


def test_a_central_stay_needs_a_site(member, secretary):
    with pytest.raises(ResidentError) as refused:
        q.quarantine_start(resident=member, actor=secretary, reason="other", kind="central")
    assert refused.value.code == "quarantine_site_required"


def test_a_volunteer_cannot_start_a_quarantine(member, volunteer):
    with pytest.raises(ResidentError) as refused:
        q.quarantine_start(resident=member, actor=volunteer, reason="returnee")
    assert refused.value.code == "quarantine_forbidden"


def test_a_close_contacts_quarantine_starts_in_one_action(member, secretary, household_a):
    contact = f.resident(household=household_a, name="王密接")
    row = q.close_contact_add(
        case=member,
        actor=secretary,
        name="",
        contact=contact,
        last_contact_on=TODAY() - timedelta(days=2),
    )
    quarantine = q.close_contact_quarantine(contact=row, actor=secretary)
    row.refresh_from_db()
    assert row.state == "quarantined" and row.quarantine == quarantine
    assert quarantine.reason == "close_contact"
    assert quarantine.ends_on == TODAY() + timedelta(days=12)


def test_a_last_contact_in_the_future_is_refused(member, secretary):
    with pytest.raises(ResidentError) as refused:
        q.close_contact_add(
            case=member, actor=secretary, name="x", last_contact_on=TODAY() + timedelta(days=1)
        )
    assert refused.value.code == "close_contact_in_future"


def test_a_named_contact_is_for_a_vulnerable_resident_only(household_a, secretary, compound_a):
    branch = f.branch(compound=compound_a, secretary_user=secretary)
    member = branch.members.first()
    alone = f.resident(household=household_a, name="刘奶奶", elderly_alone=True, birth_year=1958)
    assert q.named_contact_set(resident=alone, actor=secretary, member=member).member == member
    other = f.resident(household=household_a, name="年轻人")
    with pytest.raises(ResidentError) as refused:
        q.named_contact_set(resident=other, actor=secretary, member=member)
    assert refused.value.code == "named_contact_not_vulnerable"
