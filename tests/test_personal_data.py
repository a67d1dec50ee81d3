"""Full ID-card and phone numbers reach only those who may see them, everywhere.

The routes come from the URL conf and the fixtures from the access matrix
(``tests/test_access_matrix.py``): a page, endpoint or export another issue adds is
fetched here as soon as it has its entry there, without an edit to this file. The
residents carry recognisable numbers, and every answer a viewer who may not see them
gets — HTML, JSON, CSV, the XML inside an .xlsx — is searched for each number, also
written with spaces or dashes. The secretary fetches the same routes, so that the
numbers are known to be on the pages at all (the test can fail).
"""

import io
import re
import uuid
import zipfile
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from checkpoints.services import passage_record
from compounds.models import AuditEntry, BranchMember
from residents import services
from residents.models import Household, Resident
from tests import factories as f
from tests.test_access_matrix import CHECKED, url_for
from tests.test_access_matrix import world as world  # the fixture, re-exported

# Who may not see compound A's full numbers: the cast minus its managers.
BLIND = ["anonymous", "volunteer", "volunteer_b"]


@pytest.fixture
def people(world, household_a, resident_a, building_a, household_b, gate_a, secretary, volunteer):
    """Residents of A and B with numbers no page prints by chance; an old phone in the trail."""
    services.resident_update(
        resident=resident_a,
        actor=secretary,
        phone="15377710001",
        id_number=f.id_number(birth="19580317", serial=731),
    )
    services.household_update(household=household_a, actor=secretary, contact_phone="15377720002")
    lonely = services.resident_create(
        household=household_a,
        actor=secretary,
        name="李独居",
        phone="15377730003",
        id_number=f.id_number(birth="19400229", serial=842),
        birth_year=1940,
        elderly_alone=True,
        returnee=True,
        returned_from="武汉市江汉区",
    )
    services.resident_update(resident=lonely, actor=secretary, phone="15377740004")
    services.fever_alert_raise(
        compound=household_a.compound,
        source="phone",
        temperature=Decimal("38.4"),
        actor=secretary,
        resident=lonely,
    )
    other = f.household(building=building_a, room="502", contact_phone="15377750005")
    f.resident(
        household=other,
        name="赵隔离",
        phone="15377760006",
        id_number=f.id_number(birth="19910704", serial=953),
    )
    card = f.card(household=other, actor=secretary)
    passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("36.6"),
        actor=volunteer,
        client_id=uuid.uuid4(),
    )
    f.resident(household=household_b, name="钱南嘉", phone="15377770007")
    return world


def secrets() -> set[str]:
    """Every full number in the registry and in its history, of both compounds."""
    found = set(Resident.objects.exclude(id_number="").values_list("id_number", flat=True))
    found |= set(Resident.objects.exclude(phone="").values_list("phone", flat=True))
    found |= set(
        Household.objects.exclude(contact_phone="").values_list("contact_phone", flat=True)
    )
    for entry in AuditEntry.objects.all():
        for value in (entry.changes or {}).values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and re.fullmatch(r"1\d{10}|\d{17}[\dX]", v):
                    found.add(v)
    # The team's own numbers are not residents' data: the branch page lists the cadres'
    # phones, and a one-time login link shows its holder the login name (their phone).
    return found - set(BranchMember.objects.values_list("phone", flat=True))


def spelled(number: str) -> re.Pattern[str]:
    """The number, also with a space or dash between any of its digits."""
    return re.compile(r"[ \-]?".join(map(re.escape, number)))


def body_text(response) -> str:
    """What the viewer receives, as text: an .xlsx (a zip of XML) is opened."""
    raw = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(
                unescape(archive.read(n).decode("utf-8", "replace")) for n in archive.namelist()
            )
    return unescape(raw.decode("utf-8", "replace"))


def leaks(text: str, numbers: set[str]) -> list[str]:
    return sorted(n for n in numbers if spelled(n).search(text))


def fetch_everything(client: Client, world: dict, tail: str) -> dict[str, str]:
    """{url: body} of every GET route of the matrix, plain and searched by a phone tail;
    the API also as the browsable HTML page."""
    bodies = {}
    for name, pattern in CHECKED:
        url = url_for(name, pattern, world)
        for variant in (url, f"{url}?q={tail}&search={tail}"):
            bodies[variant] = body_text(client.get(variant))
        if url.startswith("/api/"):  # DRF's browsable page, with its forms
            bodies[f"{url} (HTML)"] = body_text(client.get(url, HTTP_ACCEPT="text/html"))
    return bodies


def client_for(who: str, users: dict) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(users[who])
    return client


@pytest.fixture
def users(officer, secretary, volunteer, volunteer_b):
    return {
        "officer": officer,
        "secretary": secretary,
        "volunteer": volunteer,
        "volunteer_b": volunteer_b,
    }


@pytest.mark.parametrize("who", BLIND)
def test_no_page_endpoint_or_export_shows_a_full_number_to_a_viewer_who_may_not_see_it(
    who, people, users, settings
):
    settings.PHONE_SEARCH_LIMIT = 10_000
    numbers = secrets()
    assert len(numbers) >= 12, numbers
    bodies = fetch_everything(client_for(who, users), people, tail="0003")
    found = {url: leaks(text, numbers) for url, text in bodies.items()}
    assert {url: n for url, n in found.items() if n} == {}


def test_the_secretary_does_see_the_full_numbers_so_the_search_above_can_fail(
    people, users, settings
):
    settings.PHONE_SEARCH_LIMIT = 10_000
    bodies = fetch_everything(client_for("secretary", users), people, tail="0003")
    everything = "\n".join(bodies.values())
    compound_a_now = {
        "15377710001",
        "15377720002",
        "15377740004",
        "15377750005",
        "15377760006",
        f.id_number(birth="19580317", serial=731),
        f.id_number(birth="19400229", serial=842),
    }
    assert leaks(everything, compound_a_now) == sorted(compound_a_now)
    # Compound B is not the secretary's: none of its numbers, masked or not.
    assert leaks(everything, {"15377770007"}) == []


# --- Refusals: what an error message tells ---------------------------------------------

A_ID = f.id_number(birth="19580317", serial=731)
A_PHONE = "15377710001"


def _no_secret_but_typed(response, typed: set[str]) -> list[str]:
    """Numbers in the answer other than those the client sent itself."""
    return leaks(body_text(response), secrets() - typed)


@pytest.fixture
def mixed(compound_a, compound_b):
    """A cadre who runs compound B and helps at A's gate: full numbers of B, masked of A."""
    user = f.user("mixed")
    f.role(user=user, kind="volunteer", compound=compound_a)
    f.role(user=user, kind="secretary", compound=compound_b)
    return user


def test_a_duplicate_id_number_is_refused_without_repeating_the_number(
    people, as_secretary, household_a
):
    """The message names the household that has it (the secretary may see that), never the
    number, so that it can be shown on a shared screen and logged."""
    response = as_secretary.post(
        "/api/v1/residents/",
        {"household": household_a.pk, "name": "重复者", "id_number": A_ID},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "id_number_registered"
    assert A_ID not in response.content.decode()
    compound_id, household_id = household_a.compound_id, household_a.pk
    page = as_secretary.post(
        f"/c/{compound_id}/households/{household_id}/residents/new/",
        {"name": "重复者", "id_number": A_ID, "sex": "F", "relation": "other"},
    )
    assert page.status_code == 200
    errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page.content.decode(), re.S)
    assert any("already registered" in e for e in errors), errors
    assert [e for e in errors if A_ID in e] == []


@pytest.mark.parametrize("who", ["volunteer", "mixed"])
def test_a_volunteer_probing_with_a_known_id_number_or_phone_learns_nothing(
    who, people, users, mixed, household_a
):
    """Creating a resident with someone's number would answer "already registered for
    …": a volunteer (or a cadre who manages another compound) is refused before that."""
    client = client_for(who, {**users, "mixed": mixed})
    typed = {A_ID, A_PHONE}
    payload = {"household": household_a.pk, "name": "探测", "id_number": A_ID, "phone": A_PHONE}
    api = client.post("/api/v1/residents/", payload, content_type="application/json")
    assert api.status_code == 403, api.content
    assert "id_number_registered" not in api.content.decode()
    url = f"/c/{household_a.compound_id}/households/{household_a.pk}/residents/new/"
    page = client.post(url, {**payload, "sex": "F", "relation": "other"})
    assert page.status_code == 403
    for response in (api, page):
        assert _no_secret_but_typed(response, typed) == []
        assert "张小流" not in body_text(response)


@pytest.mark.parametrize("who", ["volunteer", "mixed"])
def test_a_search_by_a_full_phone_does_not_tell_a_volunteer_whether_it_is_registered(
    who, people, users, mixed, settings
):
    """A list searched by a registered full phone reads exactly like one searched by an
    unknown number: otherwise the search box would confirm a number the page masks."""
    settings.PHONE_SEARCH_LIMIT = 10_000
    client = client_for(who, {**users, "mixed": mixed})
    unknown = "15300000000"
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    # Pages that carry the moment they were made (the gate's snapshot, a workbook's
    # properties) differ by that alone between two requests.
    moment = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")

    def same_page(body: str) -> str:
        return moment.sub("<moment>", token.sub("", body))

    different = []
    for name, pattern in CHECKED:
        url = url_for(name, pattern, people)
        known_body = body_text(client.get(f"{url}?q={A_PHONE}&search={A_PHONE}"))
        unknown_body = body_text(client.get(f"{url}?q={unknown}&search={unknown}"))
        if same_page(known_body.replace(A_PHONE, unknown)) != same_page(unknown_body):
            different.append(url)
    assert different == []


@pytest.mark.parametrize("who", ["volunteer", "mixed"])
def test_the_gate_refusing_a_check_in_shows_no_full_number(who, people, users, mixed, gate_a):
    from checkpoints.models import PassCard

    client = client_for(who, {**users, "mixed": mixed})
    card = PassCard.objects.filter(household__room="1702").first() or f.card(
        household=Household.objects.get(room="1702")
    )
    answers = []
    for _ in range(2):  # the second exit is over the quota: a refusal naming the household
        answers.append(
            client.post(
                "/api/v1/passages/",
                {
                    "gate": gate_a.pk,
                    "card": card.number,
                    "direction": "out",
                    "temperature": 36.6,
                    "client_id": str(uuid.uuid4()),
                },
                content_type="application/json",
            )
        )
    answers.append(client.get(f"/api/v1/cards/{card.number}/"))
    answers.append(  # a reading out of range: a validation error
        client.post(
            "/api/v1/passages/",
            {"gate": gate_a.pk, "card": card.number, "direction": "out", "temperature": 45},
            content_type="application/json",
        )
    )
    assert answers[1].json()["verdict"] == "denied"
    for response in answers:
        assert response.status_code < 500
        assert leaks(body_text(response), secrets()) == []


# --- The admin: an office login's pages follow its roles too ----------------------------


@pytest.fixture
def staff_volunteer(compound_a):
    """A login that opens the admin (the office group) but only volunteers at A."""
    from compounds.office import office_group

    user = f.user("staffvol", is_staff=True)
    user.groups.add(office_group())
    f.role(user=user, kind="volunteer", compound=compound_a)
    return user


def admin_urls(user) -> list[str]:
    """Every model's list, and the page of each of its rows the user's scope holds."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import reverse

    request = RequestFactory().get("/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model_admin.get_queryset(request).values_list("pk", flat=True)[:20]:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[pk]))
    return urls


def test_the_admin_shows_no_full_number_to_an_office_login_that_only_volunteers(
    people, staff_volunteer
):
    client = client_for("staff", {"staff": staff_volunteer})
    numbers = secrets()
    found = {}
    for url in admin_urls(staff_volunteer):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        found[url] = leaks(body_text(response), numbers)
    assert {url: n for url, n in found.items() if n} == {}


def test_an_admin_search_by_a_full_number_confirms_nothing_to_a_volunteer(people, staff_volunteer):
    from django.contrib import admin
    from django.urls import reverse

    client = client_for("staff", {"staff": staff_volunteer})
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    # Pages that carry the moment they were made (the gate's snapshot, a workbook's
    # properties) differ by that alone between two requests.
    moment = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")

    def same_page(body: str) -> str:
        return moment.sub("<moment>", token.sub("", body))

    different = []
    for known, unknown in ((A_PHONE, "15300000000"), (A_ID, f.id_number(serial=999))):
        for model in admin.site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            a = body_text(client.get(url, {"q": known})).replace(known, unknown)
            b = body_text(client.get(url, {"q": unknown}))
            if token.sub("", a) != token.sub("", b):
                different.append((url, known))
    assert different == []


def test_the_office_still_reads_and_edits_full_numbers_in_the_admin(people, officer, as_officer):
    from compounds.office import office_group

    officer.groups.add(office_group())
    resident = Resident.objects.get(phone=A_PHONE)
    page = as_officer.get(f"/admin/residents/resident/{resident.pk}/change/").content.decode()
    assert f'value="{A_PHONE}"' in page and f'value="{A_ID}"' in page
    found = as_officer.get("/admin/residents/resident/", {"q": A_ID}).content.decode()
    assert "张小流" in found


def test_an_office_login_that_only_volunteers_cannot_probe_numbers_by_adding_in_the_admin(
    people, staff_volunteer, household_a
):
    """Adding a resident with a known ID number would answer "already registered for …"."""
    client = client_for("staff", {"staff": staff_volunteer})
    response = client.post(
        "/admin/residents/resident/add/",
        {"household": household_a.pk, "name": "探测", "id_number": A_ID, "sex": "F"}
        | {"relation": "other", "birth_year": 1980},
    )
    assert "张小流" not in body_text(response)
    assert response.status_code in (403, 200)
    assert not Resident.objects.filter(name="探测").exists()
