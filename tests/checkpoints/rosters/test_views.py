from datetime import timedelta
from io import BytesIO

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from checkpoints.rosters import selectors, services
from checkpoints.rosters.apps import FEED
from checkpoints.rosters.models import Assignment, DutyLogEntry, Post, Shift
from compounds import capabilities


def _today_shifts(post, secretary, three):
    today = timezone.localdate()
    services.shifts_roll_out(template=three, posts=[post], first=today, last=today, actor=secretary)
    return list(Shift.objects.filter(post=post).order_by("starts_at"))


def test_the_secretary_rolls_out_and_assigns_through_the_pages(
    as_secretary, compound_a, posts_a, team_a
):
    today = timezone.localdate()
    response = as_secretary.post(
        reverse("rosters:rollout", args=[compound_a.pk]),
        {
            "template": services.three_shifts(compound=compound_a, actor=None).pk,
            "posts": [p.pk for p in posts_a],
            "first": today.isoformat(),
            "last": (today + timedelta(days=6)).isoformat(),
        },
    )
    assert response.status_code == 302 and Shift.objects.count() == 84
    shift = Shift.objects.order_by("starts_at").first()
    url = reverse("rosters:shift", args=[compound_a.pk, shift.pk])
    assert as_secretary.post(url, {"member": team_a["li"].pk}).status_code == 302
    other = Shift.objects.filter(starts_at=shift.starts_at).exclude(pk=shift.pk).first()
    refused = as_secretary.post(
        reverse("rosters:shift", args=[compound_a.pk, other.pk]), {"member": team_a["li"].pk}
    )
    assert refused.status_code == 400 and "overlaps" in refused.content.decode()
    week = as_secretary.get(reverse("rosters:week", args=[compound_a.pk]))
    assert "李志愿" in week.content.decode()


def test_bad_input_on_the_pages_gets_a_message_and_saves_nothing(as_secretary, compound_a, posts_a):
    today = timezone.localdate()
    three = services.three_shifts(compound=compound_a, actor=None)
    response = as_secretary.post(
        reverse("rosters:rollout", args=[compound_a.pk]),
        {
            "template": three.pk,
            "posts": [posts_a[0].pk],
            "first": today.isoformat(),
            "last": (today + timedelta(days=120)).isoformat(),
        },
    )
    assert response.status_code == 400 and "90 days" in response.content.decode()
    response = as_secretary.post(
        reverse("rosters:setup", args=[compound_a.pk]),
        {"name": "西门", "kind": "opening", "needed": 0},
    )
    assert response.status_code == 400 and "at least one person" in response.content.decode()
    response = as_secretary.post(
        reverse("rosters:template-new", args=[compound_a.pk]),
        {"name": "错", "slots": "16:00-08:00"},
    )
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert not Shift.objects.exists() and Post.objects.count() == 4


def test_a_volunteer_sees_only_their_own_compounds_roster(
    as_volunteer, as_volunteer_b, compound_a, posts_a
):
    url = reverse("rosters:week", args=[compound_a.pk])
    assert as_volunteer.get(url).status_code == 200
    assert as_volunteer_b.get(url).status_code == 404
    assert as_volunteer.get(reverse("rosters:setup", args=[compound_a.pk])).status_code == 403


def test_a_volunteer_signs_in_from_my_shifts_and_the_gap_clears(
    as_volunteer, compound_a, posts_a, team_a, secretary, three
):
    shift = next(
        s
        for s in _today_shifts(posts_a[0], secretary, three)
        if s.starts_at <= timezone.now() < s.ends_at
    )
    mine = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    home = as_volunteer.get(reverse("compound-home", args=[compound_a.pk])).content.decode()
    assert "short of people" in home
    page = as_volunteer.get(reverse("rosters:mine")).content.decode()
    assert "岗1" in page and "Sign in" in page
    as_volunteer.post(
        reverse("rosters:assignment", args=[compound_a.pk, mine.pk]),
        {"action": "sign_in", "next": reverse("rosters:mine")},
    )
    mine.refresh_from_db()
    assert mine.signed_in_at is not None
    assert all(g.shift != shift for g in selectors.gaps(compound_ids=[compound_a.pk]))


def test_a_volunteer_cannot_sign_for_someone_else(
    as_volunteer, compound_a, posts_a, team_a, secretary, three
):
    shift = _today_shifts(posts_a[0], secretary, three)[1]
    theirs = services.assign(shift=shift, member=team_a["li"], actor=secretary)
    as_volunteer.post(
        reverse("rosters:assignment", args=[compound_a.pk, theirs.pk]), {"action": "sign_in"}
    )
    theirs.refresh_from_db()
    assert theirs.signed_in_at is None


def test_the_ics_feed_lists_only_the_owners_shifts(
    client, as_volunteer, volunteer, compound_a, posts_a, team_a, secretary, three
):
    shifts = _today_shifts(posts_a[0], secretary, three)
    services.assign(shift=shifts[0], member=team_a["wang"], actor=secretary)
    services.assign(shift=shifts[1], member=team_a["li"], actor=secretary)
    page = as_volunteer.post(reverse("rosters:feed-issue"))
    url = page.context["feed_url"]
    body = client.get(url).content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 1
    assert f"assignment-{Assignment.objects.get(member=team_a['wang']).pk}@" in body
    # A new link replaces the old one.
    as_volunteer.post(reverse("rosters:feed-issue"))
    assert client.get(url).status_code == 404
    assert capabilities.live(capabilities.Capability.objects.filter(purpose=FEED.name)).count() == 1


def test_a_volunteer_on_a_gate_shift_now_lands_on_the_gate(
    volunteer, compound_a, posts_a, team_a, secretary, three
):
    client = Client()
    client.force_login(volunteer)
    # No roster in the compound yet: the gate.
    Post.objects.all().delete()
    assert client.get("/")["Location"] == reverse("checkpoints:gate", args=[compound_a.pk])
    post = services.post_save(compound=compound_a, name="南门岗", actor=secretary)
    shifts = _today_shifts(post, secretary, three)
    later = (
        next(s for s in shifts if s.starts_at > timezone.now())
        if shifts[-1].starts_at > timezone.now()
        else None
    )
    if later is not None:
        services.assign(shift=later, member=team_a["wang"], actor=secretary)
        assert client.get("/")["Location"] == reverse("rosters:mine")
    now = next(s for s in shifts if s.starts_at <= timezone.now() < s.ends_at)
    services.assign(shift=now, member=team_a["wang"], actor=secretary)
    assert client.get("/")["Location"] == reverse("checkpoints:gate", args=[compound_a.pk])


def test_the_secretary_reads_the_log_per_day_and_post(
    as_volunteer, as_secretary, compound_a, posts_a
):
    url = reverse("rosters:log", args=[compound_a.pk])
    response = as_volunteer.post(
        url,
        {
            "kind": "police_called",
            "post": posts_a[1].pk,
            "what_happened": "多次劝阻无效，报警",
            "place": "东门",
        },
    )
    assert response.status_code == 302 and DutyLogEntry.objects.count() == 1
    assert "报警" in as_secretary.get(url, {"post": posts_a[1].pk}).content.decode()
    assert "报警" not in as_secretary.get(url, {"post": posts_a[0].pk}).content.decode()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "报警" not in as_secretary.get(url, {"day": yesterday}).content.decode()


def test_hours_are_grouped_by_work_unit_and_the_week_exports_to_excel(
    as_secretary, compound_a, posts_a, team_a, secretary, three
):
    team_a["li"].work_unit = "区税务局"
    team_a["li"].save()
    shifts = _today_shifts(posts_a[0], secretary, three)
    services.assign(shift=shifts[0], member=team_a["li"], actor=secretary)
    page = as_secretary.get(reverse("rosters:hours", args=[compound_a.pk])).content.decode()
    assert "区税务局" in page and "8.0" in page
    response = as_secretary.get(reverse("rosters:export", args=[compound_a.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A2"].value == "岗1" and "李志愿" in "".join(str(c.value) for c in sheet[2])
    assert as_secretary.get(reverse("rosters:print", args=[compound_a.pk])).status_code == 200


def test_the_officer_sees_gaps_of_every_compound(
    as_officer, compound_a, compound_b, posts_a, officer, secretary, three
):
    _today_shifts(posts_a[0], secretary, three)
    post_b = services.post_save(compound=compound_b, name="颐和医院执勤岗", actor=officer)
    _today_shifts(post_b, officer, services.three_shifts(compound=compound_b, actor=officer))
    page = as_officer.get(reverse("rosters:gaps")).content.decode()
    assert compound_a.name in page and compound_b.name in page
    home = as_officer.get("/").content.decode()
    assert "颐和医院执勤岗" in home


def test_a_sign_in_queued_offline_keeps_the_phones_time_within_limits(
    as_volunteer, compound_a, posts_a, team_a, secretary, three
):
    now = timezone.now()
    shift = next(
        s for s in _today_shifts(posts_a[0], secretary, three) if s.starts_at <= now < s.ends_at
    )
    mine = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    gate = as_volunteer.get(reverse("checkpoints:gate", args=[compound_a.pk])).content.decode()
    assert "data-roster-sign" in gate and "roster-gate.js" in gate
    queued = max(shift.starts_at, now - timedelta(minutes=5))
    url = reverse("rosters:assignment", args=[compound_a.pk, mine.pk])
    as_volunteer.post(url, {"action": "sign_in", "at": queued.isoformat()})
    mine.refresh_from_db()
    assert mine.signed_in_at == queued
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    as_volunteer.post(url, {"action": "sign_out", "at": future})
    mine.refresh_from_db()
    assert mine.signed_out_at <= timezone.now()


def test_the_shift_page_shows_changes_made_by_the_system_and_by_people(
    as_secretary, compound_a, posts_a, team_a, secretary, three
):
    shift = _today_shifts(posts_a[0], secretary, three)[0]
    services.assign(shift=shift, member=team_a["wang"], actor=None)  # the demo, an import
    first = services.assign(shift=shift, member=team_a["li"], actor=secretary)
    services.unassign(assignment=first, actor=secretary)
    page = as_secretary.get(reverse("rosters:shift", args=[compound_a.pk, shift.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "added by —" in text and "removed by secretary" in text
