"""Every page and endpoint in the URL conf, against the fixed cast.

The list of URLs comes from the URL conf itself: a new route without an entry in
EXPECTED fails ``test_every_route_has_an_access_rule``, so no page escapes the check.
GET only; writes are covered by each app's own tests.
"""

import re
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from checkpoints.services import passage_record
from residents.quarantine.services import quarantine_start
from residents.rounds.services import round_open
from tests import factories as f

PUBLIC = "public"  # anyone, logged in or not
ANY_USER = "any_user"  # any logged-in user; content is scoped to what they may see
VOLUNTEER = "volunteer"  # compound A's data: volunteer of A and up; B's volunteer gets 404
MANAGE = "manage"  # compound A's data, secretary/deputy/officer only: A's volunteer gets 403
OFFICE = "office"  # compound A, community officer only: A's volunteer and secretary get 403
# Works without a login, through a capability link (``compounds.capabilities``): the token
# in the URL decides, not who asks. No token, or a wrong, revoked, expired one or one for
# another purpose: the same 404 for everybody; a valid token: 200 for anybody.
CAPABILITY = "capability"

EXPECTED = {
    "login": PUBLIC,
    "logout": None,  # POST only (Django 5); covered by the browser tests
    "logout-everywhere": None,  # POST only; tests/compounds/test_logins.py
    "account": ANY_USER,
    "account-tokens": ANY_USER,  # only the user's own tokens; tests/compounds/test_device_tokens.py
    "account-token-revoke": None,  # POST only; tests/compounds/test_device_tokens.py
    "password_change": ANY_USER,
    "password_change_done": ANY_USER,
    "set_language": None,  # POST only
    "checkpoints:service-worker": PUBLIC,
    "home": ANY_USER,
    "api-root": ANY_USER,
    "api-schema": PUBLIC,  # the documented contract holds no data
    "api-docs": PUBLIC,
    "compound-list": ANY_USER,
    "building-list": ANY_USER,
    "opening-list": ANY_USER,
    "household-list": ANY_USER,
    "resident-list": ANY_USER,
    "passage-list": ANY_USER,
    "fever-alert-list": ANY_USER,
    "compound-detail": VOLUNTEER,
    "building-detail": VOLUNTEER,
    "opening-detail": VOLUNTEER,
    "household-detail": VOLUNTEER,
    "resident-detail": VOLUNTEER,
    "fever-alert-detail": VOLUNTEER,
    "card-detail": VOLUNTEER,
    "gate-snapshot": VOLUNTEER,
    "vehicle-trip": None,  # POST only; tests/checkpoints/test_vehicles.py
    "compound-home": VOLUNTEER,
    "compound-archive": OFFICE,
    "compound-archive-file": None,  # 404 until a file exists; tests/bastion/test_archive.py
    # The dashboards over every compound the user sees (content scoped; named lists only
    # of the compounds where the user manages): tests/bastion/test_dashboard.py.
    "dashboard:overview-export": ANY_USER,
    "dashboard:report": ANY_USER,
    "dashboard:report-xlsx": ANY_USER,
    "dashboard:report-text": ANY_USER,
    "dashboard:named-returnees": ANY_USER,
    "dashboard:named-quarantine": ANY_USER,
    "compound-branch": VOLUNTEER,
    "compound-tokens": MANAGE,
    "compound-token-revoke": None,  # POST only; tests/compounds/test_device_tokens.py
    "residents:buildings": VOLUNTEER,
    "residents:building": VOLUNTEER,
    "residents:households": VOLUNTEER,
    "residents:household": VOLUNTEER,
    "residents:household-create": MANAGE,
    "residents:household-edit": MANAGE,
    "residents:resident-create": MANAGE,
    "residents:resident-edit": MANAGE,
    "residents:resident-erase": MANAGE,
    "residents:vulnerable": VOLUNTEER,
    "residents:returnees": VOLUNTEER,
    "residents:alert": VOLUNTEER,
    "residents:import": MANAGE,
    "residents:import-template": MANAGE,
    "residents:export": MANAGE,
    "residents:rounds": VOLUNTEER,
    "residents:round-latest": VOLUNTEER,  # a redirect to the latest round (or the list)
    "residents:round-create": MANAGE,
    "residents:round": VOLUNTEER,
    "residents:round-assign": MANAGE,
    "residents:round-visits": VOLUNTEER,
    "residents:round-visit": VOLUNTEER,  # recording is for the assigned: tests/residents
    "residents:round-close": MANAGE,
    "residents:round-compare": VOLUNTEER,
    "residents:round-sheet": VOLUNTEER,
    "residents:round-cards": MANAGE,
    "residents:round-card": MANAGE,
    "residents:hotlines": CAPABILITY,  # the door card's QR: public hotlines only
    "residents:quarantine-board": VOLUNTEER,
    "residents:quarantine": VOLUNTEER,
    "residents:quarantine-check": VOLUNTEER,
    "residents:quarantine-start": MANAGE,
    "residents:close-contacts": VOLUNTEER,
    "residents:close-contact-quarantine": None,  # POST only; tests/residents/test_quarantine_views.py
    "residents:named-contact": MANAGE,
    "residents:handout": MANAGE,
    "visit-list": ANY_USER,
    "checkpoints:gate": VOLUNTEER,
    "checkpoints:log": VOLUNTEER,
    "checkpoints:log-export": MANAGE,
    "checkpoints:log-refused": MANAGE,
    "checkpoints:out-now": VOLUNTEER,
    "checkpoints:rules": VOLUNTEER,
    "checkpoints:openings": MANAGE,
    "checkpoints:alerts": VOLUNTEER,
    "checkpoints:alerts-poll": VOLUNTEER,
    "checkpoints:cards": MANAGE,
    "checkpoints:cards-print": MANAGE,
    "checkpoints:household-card": MANAGE,
    "checkpoints:household-history": VOLUNTEER,
    "checkpoints:work-passes": MANAGE,
    "supply-run-list": ANY_USER,
    "supply-run-detail": VOLUNTEER,
    "help-request-list": ANY_USER,
    "help-request-detail": VOLUNTEER,
    "jielong-preview": None,  # POST only; tests/supplies/test_api.py
    "jielong-commit": None,  # POST only; tests/supplies/test_api.py
    "supplies:runs": VOLUNTEER,
    "supplies:run": VOLUNTEER,
    "supplies:run-paste": VOLUNTEER,  # the run's volunteers and managers; others 404
    "supplies:run-list": VOLUNTEER,
    "supplies:run-mark": None,  # POST only; tests/supplies/test_views.py
    "supplies:run-labels": VOLUNTEER,
    "supplies:run-summary": VOLUNTEER,
    "supplies:export": MANAGE,
    "supplies:ledger": MANAGE,
    "supplies:help": VOLUNTEER,
    "supplies:help-summary": VOLUNTEER,
    "supplies:help-request": VOLUNTEER,
    "supplies:household-page": MANAGE,
    "supplies:own-page": CAPABILITY,
    # People and their logins (compounds/people.py); tests/compounds/test_people.py
    "compound-people": MANAGE,
    "compound-person": MANAGE,
    "compound-person-link": None,  # POST only
    "compound-person-deactivate": None,  # POST only
    "login-link": PUBLIC,  # the one-time link decides; a dead link gets 410
    # Rosters (checkpoints/rosters); tests/checkpoints/rosters/
    "rosters:week": VOLUNTEER,
    "rosters:setup": MANAGE,
    "rosters:template-new": MANAGE,
    "rosters:template": MANAGE,
    "rosters:rollout": MANAGE,
    "rosters:shift": VOLUNTEER,
    "rosters:assignment": None,  # POST only
    "rosters:log": VOLUNTEER,
    "rosters:hours": MANAGE,
    "rosters:print": VOLUNTEER,
    "rosters:export": MANAGE,
    "rosters:mine": ANY_USER,  # only the user's own shifts
    "rosters:feed-issue": None,  # POST only
    "rosters:feed": CAPABILITY,
    "rosters:gaps": ANY_USER,  # gaps of the compounds the user sees
    "roster-my-assignments": ANY_USER,  # the user's own
    "roster-assignment-sign": None,  # POST only; tests/checkpoints/rosters/test_api.py
    "roster-gaps": ANY_USER,
}


def routes() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every named, non-admin route, format-suffix twins left out."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, namespace=None, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace, prefix + str(p.pattern))
            elif p.name and "format" not in p.pattern.regex.groupindex:
                found.append(((f"{namespace}:" if namespace else "") + p.name, p))

    walk(get_resolver().url_patterns)
    return found


def test_every_route_has_an_access_rule():
    missing = sorted({name for name, _ in routes()} - set(EXPECTED))
    assert missing == [], f"add these routes to EXPECTED: {missing}"


@pytest.fixture
def world(compound_a, building_a, household_a, resident_a, gate_a, volunteer, secretary):
    from supplies.services import LineInput, order_save
    from tests.supplies.conftest import make_help_request, make_run

    card = f.card(household=household_a, actor=secretary)
    run = make_run(compound_a, secretary, volunteers=[volunteer])
    order_save(run=run, household=household_a, lines=[LineInput("白菜", None)], actor=volunteer)
    help_request = make_help_request(compound_a, household_a, volunteer)
    passage = passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("38.1"),
        actor=volunteer,
        client_id=uuid4(),
    ).passage
    round_, _created = round_open(
        compound=compound_a,
        actor=secretary,
        number=1,
        title="第1轮全面排查",
        starts_on=date.today(),
        ends_on=date.today(),
    )
    quarantine = quarantine_start(resident=resident_a, actor=secretary, reason="returnee")
    from checkpoints.rosters import services as rosters
    from compounds import people

    member = people.member_add(
        compound=compound_a, name="王志愿", phone="13900000001", actor=secretary
    )
    link = people.member_login_link(member=member, actor=secretary)
    post = rosters.post_save(compound=compound_a, name="南门岗", actor=secretary, opening=gate_a)
    template = rosters.three_shifts(compound=compound_a, actor=secretary)
    rosters.shifts_roll_out(
        template=template, posts=[post], first=date.today(), last=date.today(), actor=secretary
    )
    return {
        "member_id": member.pk,
        "template_id": template.pk,
        "shift_id": post.shifts.first().pk,
        "uidb64": link.uidb64,
        "token": link.token,
        "round_id": round_.pk,
        "quarantine_id": quarantine.pk,
        "check_id": quarantine.checks.first().pk,
        "compound_id": compound_a.pk,
        "building_id": building_a.pk,
        "household_id": household_a.pk,
        "resident_id": resident_a.pk,
        "alert_id": passage.fever_alert.pk,
        "code": card.number,
        "run_id": run.pk,
        "request_id": help_request.pk,
        "pk": {
            "supply-run-detail": run.pk,
            "help-request-detail": help_request.pk,
            "compound-detail": compound_a.pk,
            "building-detail": building_a.pk,
            "opening-detail": gate_a.pk,
            "household-detail": household_a.pk,
            "resident-detail": resident_a.pk,
            "fever-alert-detail": passage.fever_alert.pk,
        },
    }


def url_for(name: str, pattern: URLPattern, world: dict) -> str:
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        kwargs[key] = world["pk"][name] if key == "pk" else world[key]
    return reverse(name, kwargs=kwargs)


def expected_status(rule: str, who: str, is_api: bool, name_is_home: bool = False) -> set[int]:
    """A user with one compound is sent from home straight to it (302)."""
    if rule == PUBLIC:
        return {200}
    if who == "anonymous":
        return {401, 403} if is_api else {302}
    if rule == ANY_USER:
        return {200, 302} if name_is_home else {200}
    if who == "volunteer_b":
        return {404}
    if who == "volunteer" and rule in (MANAGE, OFFICE):
        return {403}
    if who == "secretary" and rule == OFFICE:
        return {403}
    return {200}


# Routes whose answer, when allowed, is a redirect to a page checked here itself.
REDIRECT_WHEN_ALLOWED = {"residents:round-latest"}

CHECKED = sorted(
    (name, pattern)
    for name, pattern in routes()
    if EXPECTED.get(name) and EXPECTED[name] != CAPABILITY
)


@pytest.mark.parametrize("who", ["anonymous", "officer", "secretary", "volunteer", "volunteer_b"])
def test_each_member_of_the_cast_gets_the_right_answer_everywhere(
    who, world, client, officer, secretary, volunteer, volunteer_b
):
    users = {
        "officer": officer,
        "secretary": secretary,
        "volunteer": volunteer,
        "volunteer_b": volunteer_b,
    }
    if who != "anonymous":
        client.force_login(users[who])
    wrong = []
    for name, pattern in CHECKED:
        url = url_for(name, pattern, world)
        is_api = url.startswith("/api/")
        response = client.get(url)
        want = expected_status(EXPECTED[name], who, is_api, name == "home")
        if name in REDIRECT_WHEN_ALLOWED and want == {200}:
            want = {302}
        if response.status_code not in want:
            wrong.append(f"{name} {url}: {response.status_code}, expected {sorted(want)}")
        elif response.status_code == 302 and who == "anonymous":
            assert re.search(r"/accounts/login/", response["Location"]), url
    assert wrong == [], "\n".join(wrong)


def capability_routes() -> list[tuple[str, URLPattern]]:
    return [(n, p) for n, p in routes() if getattr(p.callback, "capability_purpose", None)]


def test_capability_routes_are_marked_as_such():
    found = {name for name, _ in capability_routes()}
    assert {name for name in found if EXPECTED.get(name) != CAPABILITY} == set()
    assert {name for name, rule in EXPECTED.items() if rule == CAPABILITY} <= found


def _tokens(purpose, household, actor) -> dict[str, str]:
    """A valid token for ``purpose``, and every kind of token that must get a 404."""
    from datetime import timedelta

    from django.utils import timezone

    from compounds import capabilities as caps

    issue = caps.capability_issue
    _valid, valid = issue(purpose=purpose, actor=actor, obj=household)
    revoked_cap, revoked = issue(purpose=purpose, actor=actor, obj=household)
    caps.capability_revoke(capability=revoked_cap, actor=actor)
    expired_cap, expired = issue(purpose=purpose, actor=actor, obj=household)
    expired_cap.expires_at = timezone.now() - timedelta(minutes=1)
    expired_cap.save(update_fields=["expires_at"])
    other = next(p for p in caps.registered_purposes().values() if p.name != purpose.name)
    _other_cap, other_purpose = issue(purpose=other, actor=actor, owner=actor, name="x")
    return {
        "valid": valid,
        "unknown": valid[:-6] + "AAAAAA",
        "revoked": revoked,
        "expired": expired,
        "other_purpose": other_purpose,
    }


@pytest.mark.urls("tests.capability_urls")  # a demo route until a real one exists
@pytest.mark.parametrize("who", ["anonymous", "officer", "secretary", "volunteer", "volunteer_b"])
def test_a_capability_route_answers_the_token_and_not_the_login(
    who, world, client, officer, secretary, volunteer, volunteer_b, household_a, settings
):
    settings.CAPABILITY_FAILURES_PER_HOUR = 1000
    users = {"officer": officer, "secretary": secretary, "volunteer": volunteer}
    users["volunteer_b"] = volunteer_b
    if who != "anonymous":
        client.force_login(users[who])
    checked = capability_routes()
    assert checked, "no capability route found"
    for name, pattern in checked:
        tokens = _tokens(pattern.callback.capability_purpose, household_a, secretary)
        urls = {k: url_for(name, pattern, {**world, "token": t}) for k, t in tokens.items()}
        urls["none"] = urls["valid"].replace(tokens["valid"], "")
        answers = {k: client.get(u) for k, u in urls.items()}
        assert answers.pop("valid").status_code == 200, name
        assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 404)
        bodies = {k: r.content for k, r in answers.items() if k != "none"}
        assert len(set(bodies.values())) == 1, f"{name}: the 404s differ"


def test_scoped_lists_show_nothing_of_another_compound(world, as_volunteer_b):
    for name in (
        "household-list",
        "resident-list",
        "passage-list",
        "fever-alert-list",
        "building-list",
    ):
        data = as_volunteer_b.get(reverse(name)).json()
        assert data["count"] == 0, name


def test_admin_is_for_the_office_not_for_volunteers(as_officer, as_volunteer):
    assert as_officer.get("/admin/").status_code == 200
    response = as_volunteer.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
