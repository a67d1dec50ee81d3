"""People of a branch and their logins: added by the secretary (members, volunteers) or
the office (secretaries, deputies); a one-time link to set a password."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from compounds import people
from compounds.errors import CompoundError
from compounds.models import AuditEntry, BranchMember, Role


def _add(client, compound, **data):
    body = {
        "name": "王志愿",
        "phone": "13900000001",
        "work_unit": "区教育局",
        "position": "volunteer",
    }
    return client.post(reverse("compound-people", args=[compound.pk]), {**body, **data})


def _link_url(client, compound, member) -> str:
    response = client.post(reverse("compound-person-link", args=[compound.pk, member.pk]))
    assert response.status_code == 200
    return response.context["url"]


def test_onboarding_end_to_end_the_member_sets_a_password_and_is_logged_in(
    as_secretary, compound_a
):
    assert _add(as_secretary, compound_a, party_member="on").status_code == 302
    member = BranchMember.objects.get(name="王志愿")
    assert (member.work_unit, member.party_member, member.user) == ("区教育局", True, None)
    url = _link_url(as_secretary, compound_a, member)
    member.refresh_from_db()
    assert member.user.username == "13900000001" and not member.user.has_usable_password()
    assert Role.objects.filter(user=member.user, compound=compound_a, kind="volunteer").exists()

    newcomer = Client()
    page = newcomer.get(url)
    assert page.status_code == 200 and "13900000001" in page.content.decode()
    done = newcomer.post(
        url, {"new_password1": "Lockdown-2020!", "new_password2": "Lockdown-2020!"}
    )
    assert done.status_code == 302
    assert newcomer.get(reverse("account")).status_code == 200  # logged in
    assert Client().login(username="13900000001", password="Lockdown-2020!")
    # Single use: the password changed, so the link is dead.
    assert Client().get(url).status_code == 410


def test_the_link_is_dead_after_24_hours(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    member = BranchMember.objects.get()
    url = _link_url(as_secretary, compound_a, member)
    later = people.link_tokens._now() + timedelta(hours=24, minutes=1)
    with mock.patch.object(people.LoginLinkTokens, "_now", return_value=later):
        assert Client().get(url).status_code == 410
    assert Client().get(url).status_code == 200


def test_deactivation_kills_the_link_and_ends_the_sessions(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    member = BranchMember.objects.get()
    url = _link_url(as_secretary, compound_a, member)
    member.refresh_from_db()
    logged_in = Client()
    logged_in.force_login(member.user)
    assert Session.objects.count() == 2
    response = as_secretary.post(
        reverse("compound-person-deactivate", args=[compound_a.pk, member.pk])
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.active and not member.user.is_active
    assert Client().get(url).status_code == 410
    assert Session.objects.count() == 1  # only the secretary's
    assert not Role.objects.filter(user=member.user).exists()
    assert AuditEntry.objects.filter(action="login_deactivate").exists()


def test_a_forgotten_password_takes_the_same_path(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    member = BranchMember.objects.get()
    first = _link_url(as_secretary, compound_a, member)
    Client().post(first, {"new_password1": "Lockdown-2020!", "new_password2": "Lockdown-2020!"})
    second = _link_url(as_secretary, compound_a, member)
    assert second != first
    Client().post(second, {"new_password1": "Spring-2020!x", "new_password2": "Spring-2020!x"})
    assert Client().login(username="13900000001", password="Spring-2020!x")
    assert get_user_model().objects.filter(username="13900000001").count() == 1


def test_the_secretary_cannot_add_a_secretary_but_the_office_can(
    as_secretary, as_officer, compound_a
):
    response = _add(as_secretary, compound_a, name="何书记", position="deputy")
    assert response.status_code == 400
    assert "community office" in response.content.decode()
    assert not BranchMember.objects.exists()
    assert _add(as_officer, compound_a, name="何书记", position="deputy").status_code == 302
    member = BranchMember.objects.get()
    _link_url(as_officer, compound_a, member)
    member.refresh_from_db()
    assert Role.objects.get(user=member.user).kind == "deputy"


def test_every_role_given_through_a_link_is_audited(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    _link_url(as_secretary, compound_a, BranchMember.objects.get())
    entry = AuditEntry.objects.get(action="role_grant")
    assert entry.compound == compound_a and entry.changes["kind"] == [None, "volunteer"]


def test_a_volunteer_cannot_add_people(as_volunteer, compound_a):
    assert _add(as_volunteer, compound_a).status_code == 403
    assert not BranchMember.objects.exists()


def test_a_bad_phone_or_an_empty_name_is_refused(compound_a, secretary):
    for kwargs in ({"name": " ", "phone": ""}, {"name": "王", "phone": "call me"}):
        with pytest.raises(CompoundError):
            people.member_add(compound=compound_a, actor=secretary, **kwargs)
    assert not BranchMember.objects.exists()


def test_a_phone_taken_as_a_login_name_gets_a_generated_one(compound_a, secretary):
    get_user_model().objects.create_user(username="13900000001")
    member = people.member_add(compound=compound_a, name="王", phone="13900000001", actor=secretary)
    link = people.member_login_link(member=member, actor=secretary)
    assert link.user.username.startswith("m") and len(link.user.username) == 9


def test_pages_show_names_not_login_names(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    page = as_secretary.get(reverse("compound-people", args=[compound_a.pk])).content.decode()
    assert "王志愿" in page


def test_the_office_deactivates_a_secretary_and_a_secretary_cannot(
    as_officer, as_secretary, compound_a, secretary, officer
):
    deputy = people.member_add(
        compound=compound_a, name="刘副书记", position="deputy", actor=officer
    )
    people.member_login_link(member=deputy, actor=officer)
    url = reverse("compound-person-deactivate", args=[compound_a.pk, deputy.pk])
    as_secretary.post(url)
    deputy.refresh_from_db()
    assert deputy.active and deputy.user.is_active
    as_officer.post(url)
    deputy.refresh_from_db()
    assert not deputy.active and not deputy.user.is_active
    assert AuditEntry.objects.filter(action="role_revoke", actor=officer).exists()


def test_a_deactivated_person_comes_back_and_gets_a_new_link(as_secretary, compound_a):
    _add(as_secretary, compound_a)
    member = BranchMember.objects.get()
    _link_url(as_secretary, compound_a, member)
    url = reverse("compound-person-deactivate", args=[compound_a.pk, member.pk])
    as_secretary.post(url)
    as_secretary.post(url, {"reactivate": "1"})
    member.refresh_from_db()
    assert member.active and not member.user.is_active
    fresh = _link_url(as_secretary, compound_a, member)
    assert Client().get(fresh).status_code == 200
    member.refresh_from_db()
    assert member.user.is_active
    assert Role.objects.filter(user=member.user, compound=compound_a, kind="volunteer").exists()
