"""The areas that exist today: the gate, fevers, quarantine and the register.

Each ``compute`` reads many compounds in a fixed number of grouped queries. The figures
equal counts taken straight from the tables (tests/bastion/test_dashboard.py):

- gate: ``HouseholdGateState`` (written by the check-in) for out now and out too long,
  the passage log of the day for exits, entries and refusals by reason;
- fevers: every ``FeverAlert`` not resolved, whatever its source; raised on the day and
  where those went (their status now);
- quarantine: residents (not erased) whose own or whose household's
  ``quarantine_until`` is the day or later. Home quarantine only: the ``Quarantine``
  model of the rounds issue (central quarantine, checks missed) replaces this provider;
- register: households, residents (not erased), returnees and those returned on the day.
"""

from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bastion.dashboard.registry import Area, Figure, Moment, ReportLine, Values, register_area
from checkpoints.errors import REASON_LABELS
from checkpoints.models import CompoundRules, HouseholdGateState, Passage
from residents.models import FeverAlert, Household, Resident
from residents.selectors import vulnerable_q

DEFAULT_MAX_MINUTES_OUT = CompoundRules._meta.get_field("max_minutes_out").get_default()


def _url(name: str, compound_id: int, **query: str) -> str:
    url = reverse(name, args=[compound_id])
    return f"{url}?{urlencode(query)}" if query else url


def _log(**query: str):  # type: ignore[no-untyped-def]
    def link(compound_id: int, moment: Moment, extra: str = "") -> str:
        q = {"day": moment.day.isoformat(), **query}
        if extra:
            q["reason"] = extra
        return _url("checkpoints:log", compound_id, **q)

    return link


def _page(name: str, **query: str):  # type: ignore[no-untyped-def]
    def link(compound_id: int, moment: Moment, extra: str = "") -> str:
        return _url(name, compound_id, **query)

    return link


# --- The gate -----------------------------------------------------------------------


def gate_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    using = moment.using
    result: dict[int, Values] = defaultdict(dict)
    # Out too long is per compound's rules: one condition per distinct limit (a handful).
    limits: dict[int, list[int]] = defaultdict(list)
    custom = dict(
        CompoundRules.objects.using(using)
        .filter(compound_id__in=compound_ids)
        .values_list("compound_id", "max_minutes_out")
    )
    for pk in compound_ids:
        limits[custom.get(pk, DEFAULT_MAX_MINUTES_OUT)].append(pk)
    overdue = Q(pk__in=[])
    for minutes, pks in limits.items():
        cutoff = moment.now - CompoundRules(max_minutes_out=minutes).max_time_out
        overdue |= Q(compound_id__in=pks, out_since__lt=cutoff)
    out = (
        HouseholdGateState.objects.using(using)
        .filter(compound_id__in=compound_ids, out_since__isnull=False)
        .values("compound_id")
        .annotate(out=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by()
    )
    for row in out:
        result[row["compound_id"]].update(
            {"gate.out_now": row["out"], "gate.overdue": row["overdue"]}
        )
    day = (
        Passage.objects.using(using)
        .filter(
            compound_id__in=compound_ids,
            occurred_at__gte=moment.start,
            occurred_at__lt=moment.end,
        )
        .values("compound_id", "direction", "verdict", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in day:
        values = result[row["compound_id"]]
        if row["verdict"] == Passage.Verdict.DENIED:
            values["gate.refused"] = values.get("gate.refused", 0) + row["n"]
            key = f"gate.refused:{row['reason']}"
            values[key] = values.get(key, 0) + row["n"]
        else:
            key = "gate.exits" if row["direction"] == Passage.Direction.OUT else "gate.entries"
            values[key] = values.get(key, 0) + row["n"]
    return result


GATE = Area(
    key="gate",
    compute=gate_compute,
    label=_("Gate"),
    order=10,
    figures=(
        Figure("gate.out_now", _("out now"), _page("checkpoints:out-now")),
        Figure("gate.overdue", _("out too long"), _page("checkpoints:out-now"), alert=True),
        Figure("gate.exits", _("exits"), _log(direction="out", verdict="allowed")),
        Figure("gate.entries", _("entries"), _log(direction="in", verdict="allowed")),
        Figure("gate.refused", _("refused"), _log(verdict="denied"), alert=True),
    ),
    report=(
        ReportLine(_("Exits through the gates"), ("gate.exits",)),
        ReportLine(_("Entries through the gates"), ("gate.entries",)),
        ReportLine(_("Refused at the gates"), ("gate.refused",)),
    ),
    details={"gate.refused": dict(REASON_LABELS)},
)


# --- Fevers -------------------------------------------------------------------------


def fevers_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    open_ = ~Q(status=FeverAlert.Status.RESOLVED)
    raised = Q(created_at__gte=moment.start, created_at__lt=moment.end)
    rows = (
        FeverAlert.objects.using(moment.using)
        .filter(Q(compound_id__in=compound_ids) & (open_ | raised))
        .values("compound_id", "status")
        .annotate(open=Count("pk", filter=open_), raised=Count("pk", filter=raised))
        .order_by()
    )
    result: dict[int, Values] = defaultdict(dict)
    for row in rows:
        values = result[row["compound_id"]]
        for key, n in (
            ("fevers.open", row["open"]),
            ("fevers.raised", row["raised"]),
            (f"fevers.raised:{row['status']}", row["raised"]),
        ):
            values[key] = values.get(key, 0) + n
    return result


FEVERS = Area(
    key="fevers",
    compute=fevers_compute,
    label=_("Fevers"),
    order=20,
    figures=(
        Figure("fevers.open", _("open fever alerts"), _page("checkpoints:alerts"), alert=True),
        Figure("fevers.raised", _("fevers raised"), _page("checkpoints:alerts")),
    ),
    report=(
        ReportLine(_("Fevers found"), ("fevers.raised",)),
        ReportLine(_("Fever alerts still open"), ("fevers.open",)),
    ),
    details={"fevers.raised": dict(FeverAlert.Status.choices)},
)


# --- Quarantine ---------------------------------------------------------------------


def quarantine_q(day: object, prefix: str = "") -> Q:
    """A resident in home quarantine on ``day``: their own date or their household's."""
    return Q(**{f"{prefix}quarantine_until__gte": day}) | Q(
        **{f"{prefix}household__quarantine_until__gte": day}
    )


def quarantine_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    """One query for the people in quarantine (a few per compound), households counted
    from it. Driven by the compounds' households (an index), never a scan of everyone."""
    people = (
        Resident.objects.using(moment.using)
        .filter(quarantine_q(moment.day), household__compound_id__in=compound_ids)
        .filter(erased_at__isnull=True)
        .values_list("household__compound_id", "household_id")
    )
    result: dict[int, Values] = defaultdict(dict)
    seen: dict[int, set[int]] = defaultdict(set)
    for compound_id, household_id in people:
        values = result[compound_id]
        values["quarantine.people"] = values.get("quarantine.people", 0) + 1
        seen[compound_id].add(household_id)
    for compound_id, ids in seen.items():
        result[compound_id]["quarantine.households"] = len(ids)
    return result


QUARANTINE = Area(
    key="quarantine",
    compute=quarantine_compute,
    label=_("Quarantine"),
    order=30,
    figures=(
        Figure(
            "quarantine.people", _("people in home quarantine"), _page("residents:quarantine-board")
        ),
        Figure(
            "quarantine.households",
            _("households in home quarantine"),
            _page("residents:quarantine-board"),
            column=False,
        ),
    ),
    report=(
        ReportLine(_("People in home quarantine"), ("quarantine.people",)),
        ReportLine(_("Households in home quarantine"), ("quarantine.households",)),
    ),
)


# --- The register -------------------------------------------------------------------


def register_compute(compound_ids: Sequence[int], moment: Moment) -> dict[int, Values]:
    result: dict[int, Values] = defaultdict(dict)
    households = (
        Household.objects.using(moment.using)
        .filter(compound_id__in=compound_ids)
        .values("compound_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in households:
        result[row["compound_id"]]["register.households"] = row["n"]
    residents = (
        Resident.objects.using(moment.using)
        .filter(household__compound_id__in=compound_ids, erased_at__isnull=True)
        .values("household__compound_id")
        .annotate(
            total=Count("pk"),
            returnees=Count("pk", filter=Q(returnee=True)),
            new=Count("pk", filter=Q(returnee=True, returned_on=moment.day)),
            vulnerable_n=Count("pk", filter=vulnerable_q()),
            party=Count("pk", filter=Q(party_member=True)),
        )
        .order_by()
    )
    for row in residents:
        result[row["household__compound_id"]].update(
            {
                "register.residents": row["total"],
                "register.returnees": row["returnees"],
                "register.returnees_new": row["new"],
                "register.vulnerable": row["vulnerable_n"],
                "register.party_members": row["party"],
            }
        )
    return result


REGISTER = Area(
    key="register",
    compute=register_compute,
    label=_("Register"),
    order=5,
    figures=(
        Figure("register.households", _("households"), _page("residents:households")),
        Figure("register.residents", _("residents"), _page("residents:households")),
        Figure("register.returnees", _("returnees"), _page("residents:returnees")),
        Figure("register.returnees_new", _("returned today"), _page("residents:returnees")),
        Figure(
            "register.vulnerable",
            _("vulnerable residents"),
            _page("residents:vulnerable"),
            column=False,
        ),
        Figure(
            "register.party_members",
            _("party members"),
            _page("residents:households"),
            column=False,
        ),
    ),
    report=(
        ReportLine(_("Households under management"), ("register.households",)),
        ReportLine(_("Residents under management"), ("register.residents",)),
        ReportLine(_("Returnees"), ("register.returnees",)),
        ReportLine(_("Returnees arrived that day"), ("register.returnees_new",)),
    ),
)


def register_all() -> None:
    for area in (REGISTER, GATE, FEVERS, QUARANTINE):
        register_area(area)
