"""Device API tokens on the account page, and the compound's managers overseeing them."""

import pytest
from django.urls import reverse

from compounds import capabilities
from compounds.audit import CAPABILITY_REVOKE
from compounds.models import AuditEntry, Capability
from tests import factories as f

API = "/api/v1/compounds/"


def _bearer(client, token):
    return client.get(API, HTTP_AUTHORIZATION=f"Bearer {token}")


def _issue(owner, name="east gate phone"):
    return capabilities.device_token_issue(owner=owner, name=name, actor=owner)


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(as_volunteer, volunteer):
    response = as_volunteer.post(reverse("account-tokens"), {"name": "east gate phone"})
    assert response.status_code == 200
    stored = Capability.objects.get(owner=volunteer)
    token = response.context["new_token"]
    assert token.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert stored.token_hash == capabilities.token_hash(token)
    assert token not in {stored.token_hash, stored.hint, stored.name}
    assert stored.hint == token[:6]
    again = as_volunteer.get(reverse("account-tokens"))
    assert token.encode() not in again.content
    assert b"east gate phone" in again.content


def test_a_token_without_a_name_is_refused_and_nothing_saved(as_volunteer):
    response = as_volunteer.post(reverse("account-tokens"), {"name": "  "})
    assert response.status_code == 400
    assert response.context["error"]
    assert not Capability.objects.exists()


def test_a_too_long_name_is_refused_and_nothing_saved(as_volunteer):
    response = as_volunteer.post(reverse("account-tokens"), {"name": "x" * 101})
    assert response.status_code == 400
    assert not Capability.objects.exists()


def test_the_list_shows_only_the_users_own_tokens(as_volunteer, volunteer, secretary):
    mine, _ = _issue(volunteer, "my phone")
    theirs, _ = _issue(secretary, "secretary laptop")
    response = as_volunteer.get(reverse("account-tokens"))
    assert list(response.context["tokens"]) == [mine]
    assert b"secretary laptop" not in response.content


def test_revoking_stops_the_token_and_removes_it_from_the_list(
    as_volunteer, volunteer, client, compound_a
):
    capability, token = _issue(volunteer)
    assert _bearer(client, token).status_code == 200
    response = as_volunteer.post(reverse("account-token-revoke", args=[capability.pk]))
    assert response.status_code == 302
    assert _bearer(client, token).status_code == 401
    listed = as_volunteer.get(reverse("account-tokens"))
    assert list(listed.context["tokens"]) == []


def test_revoking_needs_a_post(as_volunteer, volunteer):
    capability, _ = _issue(volunteer)
    response = as_volunteer.get(reverse("account-token-revoke", args=[capability.pk]))
    assert response.status_code == 405
    capability.refresh_from_db()
    assert capability.revoked_at is None


def test_a_user_cannot_revoke_another_users_token_by_its_id(as_volunteer, secretary):
    capability, _ = _issue(secretary)
    response = as_volunteer.post(reverse("account-token-revoke", args=[capability.pk]))
    assert response.status_code == 404
    capability.refresh_from_db()
    assert capability.revoked_at is None


def test_the_secretary_lists_the_tokens_of_their_compound_only(
    as_secretary, volunteer, volunteer_b, compound_a
):
    ours, _ = _issue(volunteer, "volunteer phone")
    _issue(volunteer_b, "other compound phone")
    response = as_secretary.get(reverse("compound-tokens", args=[compound_a.pk]))
    assert list(response.context["tokens"]) == [ours]
    assert b"other compound phone" not in response.content


def test_the_officer_sees_the_tokens_of_their_communitys_compound(
    as_officer, volunteer, compound_a
):
    ours, _ = _issue(volunteer)
    response = as_officer.get(reverse("compound-tokens", args=[compound_a.pk]))
    assert list(response.context["tokens"]) == [ours]


def test_the_secretary_revokes_a_volunteers_token_and_the_audit_names_them(
    as_secretary, secretary, volunteer, compound_a, client
):
    capability, token = _issue(volunteer)
    url = reverse("compound-token-revoke", args=[compound_a.pk, capability.pk])
    assert as_secretary.post(url).status_code == 302
    assert _bearer(client, token).status_code == 401
    entry = AuditEntry.objects.get(action=CAPABILITY_REVOKE.name, object_id=capability.pk)
    assert entry.actor == secretary
    assert entry.compound_id == compound_a.pk
    assert entry.changes["owner"] == "volunteer"
    listed = as_secretary.get(reverse("compound-tokens", args=[compound_a.pk]))
    assert list(listed.context["tokens"]) == []


def test_the_secretary_cannot_revoke_a_token_of_another_compound(
    as_secretary, volunteer_b, compound_a
):
    capability, _ = _issue(volunteer_b)
    url = reverse("compound-token-revoke", args=[compound_a.pk, capability.pk])
    assert as_secretary.post(url).status_code == 404
    capability.refresh_from_db()
    assert capability.revoked_at is None


def test_the_secretary_cannot_reach_another_compounds_token_page(
    as_secretary, volunteer_b, compound_b
):
    capability, _ = _issue(volunteer_b)
    assert as_secretary.get(reverse("compound-tokens", args=[compound_b.pk])).status_code == 404
    url = reverse("compound-token-revoke", args=[compound_b.pk, capability.pk])
    assert as_secretary.post(url).status_code == 404
    capability.refresh_from_db()
    assert capability.revoked_at is None


def test_a_volunteer_may_not_revoke_through_the_compound(as_volunteer, secretary, compound_a):
    capability, _ = _issue(secretary)
    url = reverse("compound-token-revoke", args=[compound_a.pk, capability.pk])
    assert as_volunteer.post(url).status_code == 403
    assert as_volunteer.get(reverse("compound-tokens", args=[compound_a.pk])).status_code == 403
    capability.refresh_from_db()
    assert capability.revoked_at is None


@pytest.mark.parametrize("who", ["secretary", "officer"])
def test_the_tokens_tab_is_for_managers(who, request, compound_a):
    from compounds import ui

    user = request.getfixturevalue(who)
    assert "tokens" in [t.key for t in ui.tabs_for(user, compound_a)]


def test_the_tokens_tab_is_not_shown_to_volunteers(volunteer, compound_a):
    from compounds import ui

    assert "tokens" not in [t.key for t in ui.tabs_for(volunteer, compound_a)]


def test_the_account_page_links_to_the_tokens(as_volunteer):
    response = as_volunteer.get(reverse("account"))
    assert reverse("account-tokens").encode() in response.content


def test_a_token_of_someone_without_a_role_in_the_compound_is_not_listed(as_secretary, compound_a):
    stranger = f.user("stranger")
    _issue(stranger)
    response = as_secretary.get(reverse("compound-tokens", args=[compound_a.pk]))
    assert list(response.context["tokens"]) == []


def test_the_deputy_revokes_a_volunteers_token_too(client, volunteer, compound_a):
    deputy = f.user("deputy")
    f.role(user=deputy, kind="deputy", compound=compound_a)
    client.force_login(deputy)
    capability, _ = _issue(volunteer)
    url = reverse("compound-token-revoke", args=[compound_a.pk, capability.pk])
    assert client.post(url).status_code == 302
    capability.refresh_from_db()
    assert capability.revoked_at is not None
