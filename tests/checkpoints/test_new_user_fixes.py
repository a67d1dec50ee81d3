"""Small things a new user hit on a phone."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_work_pass_page_is_linked_from_the_household(as_secretary, compound_a, resident_a):
    html = as_secretary.get(
        reverse("residents:household", args=[compound_a.pk, resident_a.household_id])
    ).content.decode()
    assert reverse("checkpoints:work-passes", args=[compound_a.pk, resident_a.pk]) in html


def test_the_rules_form_shows_days_or_hours_by_mode(as_secretary, compound_a):
    html = as_secretary.get(reverse("checkpoints:rules", args=[compound_a.pk])).content.decode()
    assert 'data-show-when="id_quota_mode=calendar_days"' in html
    assert 'data-show-when="id_quota_mode=rolling_hours"' in html


def test_the_admin_shows_labels_not_codes(client, compound_a, gate_a, household_a, volunteer):
    from decimal import Decimal
    from uuid import uuid4

    from checkpoints.services import passage_record

    card = f.card(household=household_a)
    for _ in range(2):
        passage_record(
            opening=gate_a,
            code=card.number,
            direction="out",
            temperature=Decimal("36.5"),
            actor=volunteer,
            client_id=uuid4(),
        )
    admin = f.user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get("/admin/checkpoints/passage/").content.decode()
    assert "exit quota used" in html or "外出" in html
    assert ">quota_used<" not in html


def test_the_sheet_can_print_only_cards_not_printed_yet(as_secretary, compound_a, building_a):
    from checkpoints.models import PassCard

    first = f.card(household=f.household(building=building_a, room="0101"))
    url = reverse("checkpoints:cards-print", args=[compound_a.pk])
    as_secretary.post(url, {"card": [first.pk]})
    assert PassCard.objects.get(pk=first.pk).printed_at is not None
    second = f.card(household=f.household(building=building_a, room="0102"))
    html = as_secretary.get(url + "?new=on").content.decode()
    assert f'name="card" value="{second.pk}"' in html
    assert f'name="card" value="{first.pk}"' not in html


def test_a_sealed_buildings_card_does_not_promise_an_outing(as_secretary, compound_a, building_a):
    building_a.sealed = True
    building_a.save()
    f.card(household=f.household(building=building_a, room="0101"))
    html = as_secretary.get(reverse("checkpoints:cards-print", args=[compound_a.pk])).content
    assert "每2天".encode() not in html and b'class="sealed"' in html
