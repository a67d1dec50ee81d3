from datetime import timedelta

from django.utils import timezone

from checkpoints.rosters import services
from checkpoints.rosters.models import Shift


def _running(post):
    now = timezone.now()
    return Shift.objects.create(
        post=post,
        day=timezone.localdate(),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        needed=1,
    )


def test_my_assignments_and_a_queued_sign_in_through_the_api(
    as_volunteer, posts_a, team_a, secretary
):
    shift = _running(posts_a[0])
    mine = services.assign(shift=shift, member=team_a["wang"], actor=secretary)
    services.assign(shift=shift, member=team_a["li"], actor=secretary)
    rows = as_volunteer.get("/api/v1/roster/my-assignments/").json()
    assert [r["id"] for r in rows] == [mine.pk] and rows[0]["others"] == ["李志愿"]
    pressed = timezone.now() - timedelta(minutes=20)
    answer = as_volunteer.post(
        f"/api/v1/roster/assignments/{mine.pk}/sign/",
        {"action": "sign_in", "at": pressed.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 200
    mine.refresh_from_db()
    assert mine.signed_in_at == pressed
    again = as_volunteer.post(
        f"/api/v1/roster/assignments/{mine.pk}/sign/",
        {"action": "sign_in"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "signed_in_already"


def test_another_compounds_assignment_is_a_404_and_someone_elses_a_403(
    as_volunteer, as_volunteer_b, posts_a, team_a, secretary
):
    theirs = services.assign(shift=_running(posts_a[0]), member=team_a["li"], actor=secretary)
    url = f"/api/v1/roster/assignments/{theirs.pk}/sign/"
    body = {"action": "sign_in"}
    assert as_volunteer_b.post(url, body, content_type="application/json").status_code == 404
    refused = as_volunteer.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "sign_forbidden"


def test_the_gaps_endpoint_lists_only_visible_compounds(as_volunteer_b, as_volunteer, posts_a):
    _running(posts_a[0])
    assert len(as_volunteer.get("/api/v1/roster/gaps/").json()) == 1
    assert as_volunteer_b.get("/api/v1/roster/gaps/").json() == []
