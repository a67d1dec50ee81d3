"""The secretary's openings page, and sealing from the building's page."""

import pytest
from django.urls import reverse

from compounds.models import AuditEntry, Compound, Opening

pytestmark = pytest.mark.django_db


def test_the_secretary_seals_an_opening_and_it_is_audited_and_bumps_the_gate(
    as_secretary, compound_a, gate_a
):
    before = Compound.objects.get(pk=compound_a.pk).gate_version
    url = reverse("checkpoints:openings", args=[compound_a.pk])
    assert as_secretary.get(url).status_code == 200
    response = as_secretary.post(url, {"opening": gate_a.pk, "state": "sealed"})
    assert response.status_code == 302
    assert Opening.objects.get(pk=gate_a.pk).state == "sealed"
    assert AuditEntry.objects.filter(action="opening_update").exists()
    assert Compound.objects.get(pk=compound_a.pk).gate_version > before


def test_set_for_all_openings_sets_every_vehicle_rule(as_secretary, compound_a, gate_a):
    from tests import factories as f

    other = f.opening(compound=compound_a, name="北门")
    url = reverse("checkpoints:openings", args=[compound_a.pk])
    as_secretary.post(url, {"vehicle_rule": "out_only"})
    rules = set(Opening.objects.filter(pk__in=[gate_a.pk, other.pk]).values_list("vehicle_rule"))
    assert rules == {("out_only",)}


def test_a_volunteer_cannot_change_an_opening(as_volunteer, compound_a, gate_a):
    url = reverse("checkpoints:openings", args=[compound_a.pk])
    assert as_volunteer.post(url, {"opening": gate_a.pk, "state": "sealed"}).status_code == 403
    assert Opening.objects.get(pk=gate_a.pk).state != "sealed"


def test_the_building_page_offers_sealing_and_returns_there(as_secretary, compound_a, building_a):
    page = reverse("residents:building", args=[compound_a.pk, building_a.pk])
    html = as_secretary.get(page).content.decode()
    assert 'name="action" value="seal"' in html and "data-confirm" in html
    response = as_secretary.post(
        reverse("checkpoints:rules", args=[compound_a.pk]),
        {"action": "seal", "building": building_a.pk, "sealed": "1", "next": page},
    )
    assert response["Location"] == page
    building_a.refresh_from_db()
    assert building_a.sealed


def test_sealing_never_sends_back_to_another_site(as_secretary, compound_a, building_a):
    response = as_secretary.post(
        reverse("checkpoints:rules", args=[compound_a.pk]),
        {
            "action": "seal",
            "building": building_a.pk,
            "sealed": "1",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("checkpoints:rules", args=[compound_a.pk])


def test_revoking_and_reissuing_ask_for_confirmation(as_secretary, compound_a, household_a):
    from tests import factories as f

    f.card(household=household_a)
    html = as_secretary.get(
        reverse("checkpoints:household-card", args=[compound_a.pk, household_a.pk])
    ).content.decode()
    assert html.count("data-confirm=") == 2
