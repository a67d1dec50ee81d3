"""The gate's decisions: every reason code, the quota's boundaries, late uploads."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from checkpoints import services
from checkpoints.errors import CheckpointError, reason_message
from checkpoints.models import CompoundRules, Passage, PassCard, RefusedUpload
from residents.models import FeverAlert
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2020, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def card_a(household_a, secretary):
    return f.card(household=household_a, actor=secretary)


@pytest.fixture
def record(gate_a, volunteer):
    def do(code, *, direction="out", temperature="36.5", when=None, opening=None, **kw):
        return services.passage_record(
            opening=opening or gate_a,
            code=code,
            direction=direction,
            temperature=Decimal(temperature),
            actor=kw.pop("actor", volunteer),
            client_id=kw.pop("client_id", uuid.uuid4()),
            recorded_at=when,
            **kw,
        )

    return do


@pytest.fixture
def frozen_now(monkeypatch):
    """Pin the server clock: late-upload detection compares device time with it."""

    def pin(value: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: value)

    return pin


def test_first_exit_is_allowed_and_logged(card_a, record):
    decision = record(card_a.number)
    assert decision.created
    p = decision.passage
    assert (p.verdict, p.reason, p.counts_quota) == ("allowed", "", True)
    assert Passage.objects.count() == 1


def test_second_exit_within_two_days_is_denied_with_next_time(card_a, record, frozen_now):
    frozen_now(at(13, 9, 12))
    record(card_a.secret, when=at(13, 9, 12))
    frozen_now(at(14, 10, 0))
    decision = record(card_a.secret, when=at(14, 10, 0))
    p = decision.passage
    assert (p.verdict, p.reason) == ("denied", "quota_used")
    assert p.last_exit_at == at(13, 9, 12)
    assert p.next_exit_at == at(15, 0, 0)
    assert "09:12" in decision.message


def test_quota_resets_at_shanghai_midnight_two_days_later(card_a, record, frozen_now):
    frozen_now(at(13, 23, 50))
    record(card_a.number, when=at(13, 23, 50))
    frozen_now(at(14, 23, 59))
    assert record(card_a.number, when=at(14, 23, 59)).passage.reason == "quota_used"
    frozen_now(at(15, 0, 1))
    assert record(card_a.number, when=at(15, 0, 1)).passage.verdict == "allowed"


def test_rolling_window_counts_hours_not_days(card_a, record, frozen_now, compound_a):
    CompoundRules.objects.filter(compound=compound_a).update(
        quota_mode="rolling_hours", quota_hours=48
    )
    compound_a.refresh_from_db()
    frozen_now(at(13, 23, 50))
    record(card_a.number, when=at(13, 23, 50))
    frozen_now(at(15, 10, 0))
    denied = record(card_a.number, when=at(15, 10, 0)).passage
    assert denied.reason == "quota_used"
    assert denied.next_exit_at == at(15, 23, 50)
    frozen_now(at(15, 23, 51))
    assert record(card_a.number, when=at(15, 23, 51)).passage.verdict == "allowed"


def test_exit_then_entry_then_exit_counts_one_outing(card_a, record, frozen_now):
    frozen_now(at(13, 9))
    record(card_a.number, when=at(13, 9))
    frozen_now(at(13, 11))
    entry = record(card_a.number, direction="in", when=at(13, 11)).passage
    assert entry.verdict == "allowed" and not entry.counts_quota
    frozen_now(at(13, 15))
    assert record(card_a.number, when=at(13, 15)).passage.reason == "quota_used"


def test_denied_scans_do_not_use_the_quota(card_a, record, frozen_now):
    frozen_now(at(13, 9))
    assert record(card_a.number, temperature="38.0", when=at(13, 9)).passage.reason == "fever"
    frozen_now(at(13, 10))
    assert record(card_a.number, when=at(13, 10)).passage.verdict == "allowed"


def test_unknown_card_is_denied_and_logged(record):
    p = record("ZZZZZZ").passage
    assert (p.verdict, p.reason, p.household_id) == ("denied", "card_unknown", None)


def test_revoked_card_is_denied_with_its_own_reason(card_a, record, secretary, household_a):
    services.card_issue(household=household_a, actor=secretary, replace_reason="lost")
    assert record(card_a.number).passage.reason == "card_revoked"


def test_card_of_another_compound_is_denied_as_an_unknown_card(household_b, record, secretary):
    other = f.card(household=household_b)
    p = record(other.number).passage
    assert (p.reason, p.household_id, p.card_id) == ("card_unknown", None, None)
    assert record(other.secret).message == record("ZZZZZZ").message


def test_fever_denies_exit_and_raises_an_alert(card_a, record):
    decision = record(card_a.number, temperature="37.3")
    assert decision.passage.reason == "fever"
    alert = FeverAlert.objects.get()
    assert alert.temperature == Decimal("37.3") and alert.status == "open"


def test_fever_on_entry_is_allowed_but_flagged(card_a, record):
    p = record(card_a.number, direction="in", temperature="38.2").passage
    assert (p.verdict, p.fever) == ("allowed", True)
    assert FeverAlert.objects.filter(passage=p).exists()


def test_reading_just_below_the_line_is_no_fever(card_a, record):
    assert record(card_a.number, temperature="37.2").passage.verdict == "allowed"
    assert not FeverAlert.objects.exists()


@pytest.mark.parametrize("reading", ["33.9", "43.1"])
def test_impossible_reading_is_an_input_error_and_writes_nothing(card_a, record, reading):
    with pytest.raises(CheckpointError) as error:
        record(card_a.number, temperature=reading)
    assert error.value.code == "temperature_out_of_range"
    assert not Passage.objects.exists()


def test_sealed_building_keeps_people_in(card_a, record, building_a):
    building_a.sealed = True
    building_a.save()
    assert record(card_a.number).passage.reason == "building_sealed"


def test_household_in_quarantine_is_denied(card_a, record, household_a):
    household_a.quarantine_until = timezone.localdate() + timedelta(days=3)
    household_a.save()
    assert record(card_a.number).passage.reason == "quarantined"


def test_resident_in_quarantine_is_denied(card_a, record, resident_a):
    resident_a.quarantine_until = timezone.localdate()
    resident_a.save()
    assert record(card_a.number, resident_id=resident_a.pk).passage.reason == "quarantined"


def test_quarantine_that_ended_yesterday_no_longer_applies(card_a, record, household_a):
    household_a.quarantine_until = timezone.localdate() - timedelta(days=1)
    household_a.save()
    assert record(card_a.number).passage.verdict == "allowed"


def test_sealed_gate_denies(card_a, record, compound_a):
    sealed = f.opening(compound=compound_a, name="河边小口", state="sealed")
    assert record(card_a.number, opening=sealed).passage.reason == "gate_sealed"


def test_vehicle_may_leave_but_not_come_back(card_a, record, compound_a):
    gate = f.opening(compound=compound_a, name="车库口", vehicle_rule="out_only")
    assert record(card_a.number, opening=gate, vehicle=True).passage.verdict == "allowed"
    back = record(card_a.number, opening=gate, vehicle=True, direction="in").passage
    assert back.reason == "vehicle_barred"


def test_work_pass_exit_does_not_count_against_quota(card_a, record, resident_a, secretary):
    today = timezone.localdate()
    services.work_pass_create(
        resident=resident_a,
        actor=secretary,
        work_unit="区教体局",
        certificate="证明 12",
        valid_from=today,
        valid_to=today + timedelta(days=7),
    )
    first = record(card_a.number, resident_id=resident_a.pk).passage
    assert first.verdict == "allowed" and not first.counts_quota
    assert record(card_a.number).passage.verdict == "allowed"


def test_resident_of_another_household_is_an_input_error(card_a, record, building_a):
    stranger = f.resident(household=f.household(building=building_a, room="101"))
    with pytest.raises(CheckpointError) as error:
        record(card_a.number, resident_id=stranger.pk)
    assert error.value.code == "resident_not_in_household"
    assert not Passage.objects.exists()


def test_same_client_id_is_written_once(card_a, record):
    client_id = uuid.uuid4()
    first = record(card_a.number, client_id=client_id)
    again = record(card_a.number, client_id=client_id)
    third = record(card_a.number, client_id=client_id)
    assert first.created and not again.created and not third.created
    assert again.passage.pk == first.passage.pk == third.passage.pk
    assert Passage.objects.count() == 1


def test_client_id_of_another_volunteer_is_a_conflict(card_a, record, secretary):
    client_id = uuid.uuid4()
    record(card_a.number, client_id=client_id)
    with pytest.raises(CheckpointError) as error:
        record(card_a.number, client_id=client_id, actor=secretary)
    assert (error.value.code, error.value.status_code) == ("client_id_conflict", 409)


def test_same_client_id_with_another_card_is_a_conflict_and_writes_nothing(
    card_a, record, building_a
):
    other = f.card(household=f.household(building=building_a, room="1801"))
    client_id = uuid.uuid4()
    record(card_a.number, client_id=client_id)
    with pytest.raises(CheckpointError) as error:
        record(other.number, client_id=client_id, temperature="38.5")
    assert error.value.code == "client_id_conflict"
    assert Passage.objects.count() == 1 and not FeverAlert.objects.exists()
    assert RefusedUpload.objects.get().code == "client_id_conflict"


def test_unknown_card_reused_client_id_with_another_reading_is_a_conflict(record):
    # The card is null for an unknown card: the stored request hash still tells them apart.
    client_id = uuid.uuid4()
    record("ZZZZZZ", client_id=client_id)
    with pytest.raises(CheckpointError) as error:
        record("ZZZZZZ", client_id=client_id, temperature="38.5")
    assert error.value.code == "client_id_conflict"


def test_a_record_from_before_the_request_hash_replays_as_before(card_a, record):
    client_id = uuid.uuid4()
    first = record(card_a.number, client_id=client_id).passage
    Passage.objects.filter(pk=first.pk).update(request_hash="")
    assert record(card_a.number, client_id=client_id).passage.pk == first.pk


def test_device_clock_far_behind_is_refused_and_logged(card_a, record, volunteer, gate_a):
    with pytest.raises(CheckpointError) as error:
        record(card_a.number, when=timezone.now() - timedelta(days=8))
    assert error.value.code == "recorded_too_old"
    assert not Passage.objects.exists()
    refused = RefusedUpload.objects.get()
    assert (refused.volunteer, refused.opening, refused.compound_id) == (
        volunteer,
        gate_a,
        gate_a.compound_id,
    )
    assert refused.body["card"] == card_a.number


def test_device_clock_far_ahead_is_refused(card_a, record):
    with pytest.raises(CheckpointError) as error:
        record(card_a.number, when=timezone.now() + timedelta(hours=1))
    assert error.value.code == "recorded_in_future"
    assert RefusedUpload.objects.get().code == "recorded_in_future"


def test_a_qr_secret_is_never_kept_in_the_refused_log(card_a, record):
    with pytest.raises(CheckpointError):
        record(card_a.secret, when=timezone.now() + timedelta(hours=1))
    body = RefusedUpload.objects.get().body
    assert card_a.secret not in str(body) and body["card"] == card_a.number


def test_late_upload_is_stored_as_it_happened_with_the_breach_flagged(card_a, record, frozen_now):
    frozen_now(at(13, 9))
    record(card_a.number, when=at(13, 9))
    frozen_now(at(14, 12))
    late = record(card_a.number, when=at(14, 8)).passage  # queued offline at 08:00
    assert (late.verdict, late.late, late.breach) == ("allowed", True, "quota_used")
    assert late.occurred_at == at(14, 8)


def test_late_upload_arriving_out_of_order_reveals_the_later_breach(card_a, record, frozen_now):
    # Gate B (online) lets the household out at 10:00; gate A's 09:00 record was offline
    # and reaches the server only at 11:00: the pair is one outing too many.
    frozen_now(at(13, 10))
    online = record(card_a.number, when=at(13, 10)).passage
    assert online.verdict == "allowed"
    frozen_now(at(13, 11))
    late = record(card_a.number, when=at(13, 9)).passage
    assert (late.verdict, late.breach) == ("allowed", "quota_used")
    assert Passage.objects.filter(verdict="allowed", direction="out").count() == 2


def test_late_upload_in_order_without_conflict_is_clean(card_a, record, frozen_now):
    frozen_now(at(13, 11))
    late = record(card_a.number, when=at(13, 9)).passage
    assert (late.verdict, late.late, late.breach) == ("allowed", True, "")


def test_late_fever_reading_is_still_a_fever(card_a, record, frozen_now):
    frozen_now(at(13, 11))
    p = record(card_a.number, temperature="38.5", when=at(13, 9)).passage
    assert (p.verdict, p.reason, p.breach) == ("denied", "fever", "")
    assert FeverAlert.objects.filter(passage=p).exists()


def test_quota_message_reads_dates_in_chinese(card_a, record, frozen_now):
    from django.utils import translation

    with translation.override("zh-hans"):
        text = reason_message("quota_used", last_exit_at=at(13, 9, 12), next_exit_at=at(15, 0))
    assert "2月13日 09:12" in text and "2月15日" in text


def test_card_issue_refuses_a_second_active_card(household_a, secretary):
    f.card(household=household_a)
    with pytest.raises(CheckpointError) as error:
        services.card_issue(household=household_a, actor=secretary)
    assert error.value.code == "card_exists"


def test_card_numbers_avoid_look_alike_characters(household_a):
    card = f.card(household=household_a)
    assert not set(card.number + card.secret) & set("01OIL")


def test_issuing_missing_cards_is_bulk_and_audited(
    compound_a, building_a, secretary, django_assert_max_num_queries
):
    from compounds.models import AuditEntry

    households = [f.household(building=building_a, room=f"{n:02d}01") for n in range(1, 31)]
    f.card(household=households[0])
    # 8, and 3 for the gate version (compound bumped and read, households stamped).
    with django_assert_max_num_queries(11):
        issued = services.cards_issue_missing(compound=compound_a, actor=secretary)
    assert issued == 29
    numbers = list(
        PassCard.objects.filter(compound=compound_a, state="active").values_list(
            "number", flat=True
        )
    )
    assert len(numbers) == len(set(numbers)) == 30
    assert AuditEntry.objects.filter(action="card_issue", actor=secretary).count() == 29
    assert services.cards_issue_missing(compound=compound_a, actor=secretary) == 0


def test_migration_rewrites_old_wrong_compound_rows_as_unknown_cards(card_a, record, frozen_now):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("checkpoints.migrations.0002_refused_uploads_and_request_hash")
    denied = record("ZZZZZZ").passage
    frozen_now(timezone.now() + timedelta(hours=1))
    late = record("YYYYYY", when=timezone.now() - timedelta(minutes=30)).passage
    Passage.objects.filter(pk=denied.pk).update(reason="wrong_compound")
    Passage.objects.filter(pk=late.pk).update(breach="wrong_compound")
    migration.forget_wrong_compound(apps, None)
    assert Passage.objects.get(pk=denied.pk).reason == "card_unknown"
    assert Passage.objects.get(pk=late.pk).breach == "card_unknown"
