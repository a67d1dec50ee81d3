"""The 接龙 API: the paste page's contract (preview, commit), and who may call it."""

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from supplies.models import JielongPaste, Order, OrderLine, Run
from tests import factories as f

PREVIEW = "/api/v1/supplies/jielong/preview/"

CHAIN_0900 = """【接龙】20栋 明天买菜
例：20-1702 白菜2斤
1. 20-1702 白菜2斤 鸡蛋1盒
2. 20栋1801 土豆 3斤
"""
CHAIN_1100 = (
    CHAIN_0900
    + """3. 20#1902 半斤姜 牛奶x2
4. 20-9999 大米10斤
谢谢大家🙏
"""
)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def commit_url(run):
    return f"/api/v1/supplies/runs/{run.pk}/jielong/"


@pytest.fixture
def as_run_volunteer(as_volunteer, run_a):
    return as_volunteer


def test_the_commit_url_is_the_contracts(run_a):
    assert reverse("jielong-commit", args=[run_a.pk]) == commit_url(run_a)
    assert reverse("jielong-preview") == PREVIEW


def test_preview_answers_the_contract_and_writes_nothing(
    as_run_volunteer, compound_a, rooms, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = post(
            as_run_volunteer,
            PREVIEW,
            {"compound": compound_a.pk, "building": None, "text": CHAIN_1100},
        )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"orders", "unread", "skipped"}
    assert data["orders"][0] == {
        "line_no": 3,
        "entry_no": 1,
        "household": rooms["20-1702"].pk,
        "address": "20-1702",
        "items": [
            {"name": "白菜", "quantity": "2", "unit": "斤", "note": ""},
            {"name": "鸡蛋", "quantity": "1", "unit": "盒", "note": ""},
        ],
    }
    assert data["orders"][1]["items"] == [
        {"name": "土豆", "quantity": "3", "unit": "斤", "note": ""}
    ]
    assert data["orders"][2]["items"][0]["quantity"] == "0.5"
    assert data["orders"][2]["items"][1] == {
        "name": "牛奶",
        "quantity": "2",
        "unit": "",
        "note": "",
    }
    unread = {u["line_no"]: u for u in data["unread"]}
    assert unread[6]["code"] == "room_unknown" and unread[6]["message"]
    assert unread[7]["code"] == "chatter"
    assert [s["line_no"] for s in data["skipped"]] == [1, 2]
    lines = (
        [o["line_no"] for o in data["orders"]]
        + list(unread)
        + [s["line_no"] for s in data["skipped"]]
    )
    assert sorted(lines) == list(range(1, len(CHAIN_1100.splitlines()) + 1))
    assert Order.objects.count() == 0


def test_preview_resolves_every_room_in_one_query(
    as_run_volunteer, compound_a, building_a, django_assert_num_queries
):
    text = "\n".join(f"{i}. 20-{1000 + i} 白菜2斤" for i in range(1, 41))
    for i in range(1, 41):
        f.household(building=building_a, room=str(1000 + i))
    post(as_run_volunteer, PREVIEW, {"compound": compound_a.pk, "text": "1. 20-1001 米"})
    with django_assert_num_queries(len(_queries_of(as_run_volunteer, compound_a, "1. 20-1001 米"))):
        data = post(as_run_volunteer, PREVIEW, {"compound": compound_a.pk, "text": text}).json()
    assert len(data["orders"]) == 40


def _queries_of(client, compound, text):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        post(client, PREVIEW, {"compound": compound.pk, "text": text})
    return captured.captured_queries


def test_preview_of_a_building_chain_reads_bare_rooms(
    as_run_volunteer, compound_a, building_a, rooms
):
    body = {
        "compound": compound_a.pk,
        "building": building_a.pk,
        "text": "1. 1702 白菜2斤\n2. 2-301 米",
    }
    data = post(as_run_volunteer, PREVIEW, body).json()
    assert [o["address"] for o in data["orders"]] == ["20-1702", "20-2-301"]


def test_preview_says_a_room_is_ambiguous_without_its_unit(as_run_volunteer, compound_a, rooms):
    data = post(
        as_run_volunteer, PREVIEW, {"compound": compound_a.pk, "text": "1. 20-301 米"}
    ).json()
    assert [u["code"] for u in data["unread"]] == ["room_ambiguous"]


@pytest.mark.parametrize("who", ["volunteer_b", "stranger"])
def test_preview_is_404_for_anyone_not_on_a_run_or_managing(
    who, client, compound_a, run_a, volunteer_b
):
    user = volunteer_b if who == "volunteer_b" else f.user("stranger")
    if who == "stranger":
        f.role(user=user, kind="volunteer", compound=compound_a)  # of A, but on no run
    client.force_login(user)
    response = post(client, PREVIEW, {"compound": compound_a.pk, "text": CHAIN_0900})
    assert response.status_code == 404


def test_commit_upserts_and_a_later_cumulative_chain_doubles_nothing(
    as_run_volunteer, run_a, rooms
):
    first = post(
        as_run_volunteer, commit_url(run_a), {"text": CHAIN_0900, "client_key": str(uuid.uuid4())}
    )
    assert first.status_code == 201
    assert Order.objects.filter(run=run_a).count() == 2
    line = OrderLine.objects.get(order__household=rooms["20-1702"], name="白菜")
    line.status = "bought"
    line.save()
    second = post(
        as_run_volunteer, commit_url(run_a), {"text": CHAIN_1100, "client_key": str(uuid.uuid4())}
    )
    assert second.status_code == 201
    assert Order.objects.filter(run=run_a).count() == 3
    assert OrderLine.objects.filter(order__run=run_a).count() == 2 + 1 + 2
    assert OrderLine.objects.get(order__household=rooms["20-1702"], name="白菜").status == "bought"
    assert [o["created"] for o in second.json()["orders"]] == [False, False, True]
    assert {u["code"] for u in second.json()["unread"]} == {"room_unknown", "chatter"}


def test_commit_with_a_fix_writes_the_fixed_line(as_run_volunteer, run_a, rooms):
    body = {
        "text": CHAIN_1100,
        "client_key": str(uuid.uuid4()),
        "fixes": [{"line_no": 6, "household": rooms["20-1801"].pk}],
    }
    answer = post(as_run_volunteer, commit_url(run_a), body).json()
    names = set(
        OrderLine.objects.filter(order__household=rooms["20-1801"]).values_list("name", flat=True)
    )
    assert names == {"土豆", "大米"}
    assert 6 not in {u["line_no"] for u in answer["unread"]}


def test_commit_is_idempotent_on_its_client_key(as_run_volunteer, run_a, rooms):
    body = {"text": CHAIN_0900, "client_key": str(uuid.uuid4())}
    first = post(as_run_volunteer, commit_url(run_a), body)
    again = post(as_run_volunteer, commit_url(run_a), body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert JielongPaste.objects.count() == 1
    other = post(as_run_volunteer, commit_url(run_a), {**body, "text": CHAIN_1100})
    assert other.status_code == 409 and other.json()["code"] == "client_key_conflict"


def test_commit_after_the_cutoff_is_refused_and_writes_nothing(as_run_volunteer, run_a, rooms):
    Run.objects.filter(pk=run_a.pk).update(cutoff_at=timezone.now() - timedelta(minutes=1))
    response = post(
        as_run_volunteer, commit_url(run_a), {"text": CHAIN_0900, "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400 and response.json()["code"] == "after_cutoff"
    assert Order.objects.count() == 0


def test_an_absurd_quantity_refuses_the_whole_paste_naming_its_line(as_run_volunteer, run_a, rooms):
    text = CHAIN_0900 + "3. 20-1902 白菜2000斤\n"
    response = post(
        as_run_volunteer, commit_url(run_a), {"text": text, "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "quantity_invalid" and response.json()["line_no"] == 5
    assert Order.objects.count() == 0


def test_a_fix_with_another_compounds_household_is_refused(
    as_run_volunteer, run_a, rooms, household_b
):
    body = {
        "text": CHAIN_1100,
        "client_key": str(uuid.uuid4()),
        "fixes": [{"line_no": 6, "household": household_b.pk}],
    }
    response = post(as_run_volunteer, commit_url(run_a), body)
    assert response.status_code == 400 and response.json()["code"] == "household_other_compound"
    assert Order.objects.count() == 0


def test_commit_is_404_for_a_volunteer_not_on_the_run(
    client, compound_a, run_a, rooms, volunteer_b
):
    other = f.user("other")
    f.role(user=other, kind="volunteer", compound=compound_a)
    for user in (other, volunteer_b):
        client.force_login(user)
        response = post(
            client, commit_url(run_a), {"text": CHAIN_0900, "client_key": str(uuid.uuid4())}
        )
        assert response.status_code == 404
    assert Order.objects.count() == 0


def test_the_secretary_may_commit_without_being_on_the_run(as_secretary, run_a, rooms):
    response = post(
        as_secretary, commit_url(run_a), {"text": CHAIN_0900, "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 201


def test_runs_and_requests_are_listed_only_to_their_compound(as_volunteer_b, run_a):
    assert as_volunteer_b.get("/api/v1/supplies/runs/").json()["count"] == 0
    assert as_volunteer_b.get(f"/api/v1/supplies/runs/{run_a.pk}/").status_code == 404
