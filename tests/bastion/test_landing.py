"""Where people land after login."""

from django.urls import reverse


def test_a_volunteer_lands_on_the_gate_of_their_compound(as_volunteer, compound_a):
    response = as_volunteer.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("checkpoints:gate", args=[compound_a.pk])


def test_a_secretary_lands_on_the_compounds_overview(as_secretary, compound_a):
    response = as_secretary.get(reverse("home"))
    assert response["Location"] == reverse("compound-home", args=[compound_a.pk])
