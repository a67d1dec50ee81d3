"""A QR code of another Bastion purpose shown at the gate is refused by its name."""

from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from checkpoints.codes import capability_token
from checkpoints.errors import CheckpointError
from checkpoints.models import Passage
from checkpoints.services import passage_record
from compounds import capabilities

pytestmark = pytest.mark.django_db

DOOR_CARD = capabilities.register_purpose("test_door_card", _("door card"))


@pytest.fixture
def door_link(household_a, secretary):
    _cap, token = capabilities.capability_issue(purpose=DOOR_CARD, actor=secretary, obj=household_a)
    return f"https://bastion.example/d/{token}/", token


def test_the_token_is_found_in_a_link_or_alone():
    token = "A" * 43
    assert capability_token(f"https://x.example/d/{token}/?a=1") == token
    assert capability_token(token) == token
    assert capability_token("K7P-3QX") == "" and capability_token("A" * 20) == ""


def test_the_card_check_names_what_was_scanned(as_volunteer, door_link, compound_a):
    _link, token = door_link
    url = reverse("card-detail", kwargs={"code": token}) + f"?compound={compound_a.pk}"
    answer = as_volunteer.get(url)
    assert answer.status_code == 404
    assert answer.json()["code"] == "capability_scanned"
    assert "door card" in answer.json()["detail"]


def test_a_check_in_with_a_door_cards_link_is_refused_by_name(gate_a, volunteer, door_link):
    link, _token = door_link
    with pytest.raises(CheckpointError) as caught:
        passage_record(
            opening=gate_a,
            code=link,
            direction="out",
            temperature=Decimal("36.5"),
            actor=volunteer,
            client_id=uuid4(),
        )
    assert caught.value.code == "capability_scanned" and "door card" in caught.value.message
    assert not Passage.objects.exists()
