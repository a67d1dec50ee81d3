"""Capability links: a random token stored hashed, for one purpose, rotated and revoked."""

import hashlib
from datetime import timedelta

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compounds import capabilities as caps
from compounds.errors import RateLimited
from compounds.models import AuditEntry, Capability
from tests.capability_urls import DEMO


@pytest.fixture
def issued(household_a, secretary):
    capability, token = caps.capability_issue(
        purpose=DEMO, actor=secretary, obj=household_a, name="张家的页面"
    )
    return capability, token


def test_the_token_is_stored_only_as_its_hash(issued):
    capability, token = issued
    assert len(token) >= 40
    stored = Capability.objects.get(pk=capability.pk)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Capability.objects.filter(pk=capability.pk).values().get())


def test_a_capability_takes_the_compound_of_its_object(issued, compound_a, household_a):
    capability, _token = issued
    assert capability.compound == compound_a
    assert capability.target == household_a


def test_a_valid_token_resolves_and_is_marked_used(issued):
    capability, token = issued
    assert capability.last_used_at is None
    found = caps.capability_resolve(token=token, purpose=DEMO)
    assert found.pk == capability.pk
    assert Capability.objects.get(pk=capability.pk).last_used_at is not None


@pytest.mark.parametrize("case", ["unknown", "revoked", "expired", "wrong_purpose", "empty"])
def test_every_bad_token_gets_the_same_not_found(case, issued, secretary):
    capability, token = issued
    purpose = DEMO
    if case == "unknown":
        token = token[:-4] + "AAAA"
    elif case == "revoked":
        caps.capability_revoke(capability=capability, actor=secretary)
    elif case == "expired":
        Capability.objects.filter(pk=capability.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif case == "wrong_purpose":
        purpose = caps.DEVICE_API_TOKEN
    else:
        token = ""
    with pytest.raises(caps.CapabilityNotFound) as refused:
        caps.capability_resolve(token=token, purpose=purpose)
    assert isinstance(refused.value, Http404)
    assert str(refused.value) == str(caps.CapabilityNotFound())


def test_an_unregistered_purpose_is_refused(secretary):
    with pytest.raises(caps.UnknownPurpose):
        caps.capability_issue(purpose="nonsense", actor=secretary, owner=secretary)


def test_rotation_revokes_the_old_token_and_issues_a_new_one(issued, secretary):
    capability, old_token = issued
    new, new_token = caps.capability_rotate(capability=capability, actor=secretary)
    assert new.pk != capability.pk and new_token != old_token
    assert (new.purpose, new.name, new.compound_id) == (
        capability.purpose,
        capability.name,
        capability.compound_id,
    )
    assert new.replaces_id == capability.pk
    with pytest.raises(caps.CapabilityNotFound):
        caps.capability_resolve(token=old_token, purpose=DEMO)
    assert caps.capability_resolve(token=new_token, purpose=DEMO).pk == new.pk


def test_issue_rotate_and_revoke_are_audited_without_the_token(issued, secretary, compound_a):
    capability, token = issued
    new, new_token = caps.capability_rotate(capability=capability, actor=secretary)
    caps.capability_revoke(capability=new, actor=secretary)
    actions = list(
        AuditEntry.objects.filter(object_type="capability")
        .order_by("id")
        .values_list("action", "compound", "actor")
    )
    assert actions == [
        ("capability_issue", compound_a.pk, secretary.pk),
        ("capability_rotate", compound_a.pk, secretary.pk),
        ("capability_revoke", compound_a.pk, secretary.pk),
    ]
    for entry in AuditEntry.objects.all():
        assert token not in str(entry.changes) and new_token not in str(entry.changes)


def test_a_revoked_capability_cannot_be_rotated(issued, secretary):
    capability, _token = issued
    caps.capability_revoke(capability=capability, actor=secretary)
    with pytest.raises(caps.CapabilityNotFound):
        caps.capability_rotate(capability=capability, actor=secretary)


def test_too_many_bad_tokens_from_one_address_are_refused(issued, settings):
    settings.CAPABILITY_FAILURES_PER_HOUR = 3
    _capability, token = issued
    for _ in range(3):
        with pytest.raises(caps.CapabilityNotFound):
            caps.capability_resolve(token="guess", purpose=DEMO, address="10.0.0.9")
    with pytest.raises(RateLimited):
        caps.capability_resolve(token="guess", purpose=DEMO, address="10.0.0.9")
    # Another address, and a valid token, are not held up.
    with pytest.raises(caps.CapabilityNotFound):
        caps.capability_resolve(token="guess", purpose=DEMO, address="10.0.0.10")
    assert caps.capability_resolve(token=token, purpose=DEMO, address="10.0.0.9")


# --- views that work through a capability ------------------------------------------------


@pytest.mark.urls("tests.capability_urls")
def test_a_capability_view_answers_the_token_not_the_login(issued, client, as_volunteer_b):
    capability, token = issued
    url = reverse("capability-demo", kwargs={"token": token})
    for c in (client, as_volunteer_b):
        response = c.get(url)
        assert response.status_code == 200
        assert response.content.decode() == f"household {capability.object_id}"
    bad = reverse("capability-demo", kwargs={"token": "x" * 43})
    assert client.get(bad).status_code == 404


@pytest.mark.urls("tests.capability_urls")
def test_a_capability_view_refuses_a_flood_with_429(db, client, settings):
    settings.CAPABILITY_FAILURES_PER_HOUR = 1
    bad = reverse("capability-demo", kwargs={"token": "x" * 43})
    assert client.get(bad).status_code == 404
    response = client.get(bad)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


# --- per-device API tokens (DRF) -----------------------------------------------------------


def test_a_device_token_logs_its_owner_into_the_api(volunteer, compound_a):
    capability, token = caps.device_token_issue(owner=volunteer, name="南门的手机", actor=volunteer)
    response = Client().get(reverse("compound-list"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [compound_a.pk]
    assert list(caps.device_tokens_of(owner=volunteer)) == [capability]


def test_a_revoked_device_token_is_refused(volunteer):
    capability, token = caps.device_token_issue(owner=volunteer, name="旧手机", actor=volunteer)
    caps.capability_revoke(capability=capability, actor=volunteer)
    response = Client().get(reverse("compound-list"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert list(caps.device_tokens_of(owner=volunteer)) == []


def test_a_device_token_of_a_deactivated_login_is_refused(volunteer):
    _capability, token = caps.device_token_issue(owner=volunteer, name="手机", actor=volunteer)
    volunteer.is_active = False
    volunteer.save()
    response = Client().get(reverse("compound-list"), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_a_device_token_needs_a_name(volunteer):
    from compounds.errors import CompoundError

    with pytest.raises(CompoundError) as refused:
        caps.device_token_issue(owner=volunteer, name="  ", actor=volunteer)
    assert refused.value.code == "capability_name_required"


def test_the_office_revokes_a_link_in_the_admin(issued, officer):
    from compounds.office import office_group

    capability, token = issued
    officer.groups.add(office_group())
    client = Client()
    client.force_login(officer)
    changelist = reverse("admin:compounds_capability_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and token not in page.content.decode()
    response = client.post(changelist, {"action": "revoke", "_selected_action": [capability.pk]})
    assert response.status_code == 302
    with pytest.raises(caps.CapabilityNotFound):
        caps.capability_resolve(token=token, purpose=DEMO)
    assert AuditEntry.objects.filter(action="capability_revoke", actor=officer).exists()


@pytest.mark.urls("tests.capability_urls")
def test_behind_a_proxy_a_flood_is_counted_per_client_not_per_proxy(db, client, settings):
    settings.CAPABILITY_FAILURES_PER_HOUR = 1
    settings.PROXY_COUNT = 1
    bad = reverse("capability-demo", kwargs={"token": "x" * 43})
    flooder = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get(bad, **flooder).status_code == 404
    assert client.get(bad, **flooder).status_code == 429
    # Another client behind the same proxy is not held up by the flooder.
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.4", "REMOTE_ADDR": "127.0.0.1"}
    assert client.get(bad, **other).status_code == 404
