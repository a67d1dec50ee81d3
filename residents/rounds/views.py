"""Rounds' pages: the list, opening, assignments, the visit page for a phone at a door,
coverage, closing, comparison, the printable visit sheet and door cards, and the public
hotlines page behind a door card's QR."""

from typing import Any
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compounds import access
from compounds.access import Level
from compounds.capabilities import capability_view
from compounds.errors import BastionError
from compounds.models import Building, Compound, Unit
from residents.errors import ResidentError
from residents.models import Household
from residents.rounds import cards, selectors, services
from residents.rounds.forms import AssignmentForm, CloseForm, RoundForm, VisitForm
from residents.rounds.models import DONE_RESULTS, Assignment, Round, Visit
from residents.views import _compound, _context, _show_error


def _round(request: HttpRequest, compound: Compound, round_id: int) -> Round:
    return access.get_scoped_or_404(
        request.user, Round.objects.filter(compound=compound), pk=round_id
    )


def _ctx(request: HttpRequest, compound: Compound, **extra: Any) -> dict[str, Any]:
    return _context(request, compound, **extra)


@login_required
def round_list(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    rounds = Round.objects.filter(compound=compound).annotate(
        total=Count("visits"), done=Count("visits", filter=Q(visits__result__in=DONE_RESULTS))
    )
    return render(request, "residents/rounds/list.html", _ctx(request, compound, rounds=rounds))


@login_required
def round_latest(request: HttpRequest, compound_id: int) -> HttpResponse:
    """The latest round's coverage (the dashboard's link), or the list when none began."""
    compound = _compound(request, compound_id)
    found = selectors.latest_round(compound=compound)
    if found is None:
        return redirect("residents:rounds", compound.pk)
    return redirect("residents:round", compound.pk, found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    form = RoundForm(request.POST or None, compound=compound)
    if request.method == "POST" and form.is_valid():
        try:
            round_, created = services.round_open(
                compound=compound, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("%(title)s is open: %(count)s households to visit.")
                % {"title": round_.title, "count": created},
            )
            return redirect("residents:round", compound.pk, round_.pk)
    return render(request, "residents/rounds/form.html", _ctx(request, compound, form=form))


@login_required
def round_detail(request: HttpRequest, compound_id: int, round_id: int) -> HttpResponse:
    """The coverage grid: buildings × units × households, coloured by state."""
    compound = _compound(request, compound_id)
    round_ = _round(request, compound, round_id)
    grid = selectors.coverage(round_=round_)
    # One reverse() for every door's link, not one per cell (1,300 of them).
    visit_base = reverse("residents:round-visit", args=[compound.pk, round_.pk, 0])[:-2]
    cells = {
        id(unit): _cells_html(unit, visit_base) for b in grid.buildings for unit in b.unit_rows
    }
    for b in grid.buildings:
        for unit in b.unit_rows:
            unit.html = cells[id(unit)]
    context = _ctx(request, compound, round=round_, grid=grid, visit_base=visit_base)
    return render(request, "residents/rounds/coverage.html", context)


def _cells_html(unit: selectors.UnitRow, visit_base: str) -> SafeString:
    """A unit's doors as coloured links, built in Python: 1,300 cells through the template
    engine cost more than the grid's query."""
    return format_html_join(
        "",
        '<a class="cell {}{}" data-household="{}" href="{}{}/" title="{}">{}</a>',
        (
            (
                c.result,
                f" card-{c.colour}" if c.colour else "",
                c.household_id,
                visit_base,
                c.household_id,
                c.room,
                c.room,
            )
            for c in unit.cells
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_assign(request: HttpRequest, compound_id: int, round_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    round_ = _round(request, compound, round_id)
    form = AssignmentForm(request.POST or None, compound=compound)
    if request.method == "POST" and form.is_valid():
        building, unit = form.chosen_place()
        try:
            services.assignment_set(
                round_=round_,
                actor=request.user,
                member=form.cleaned_data["member"],
                building=building,
                unit=unit,
            )
        except BastionError as error:  # the roster may refuse the duty (checkpoints)
            _show_error(form, error)
        else:
            messages.success(request, _("Assigned."))
            return redirect("residents:round-assign", compound.pk, round_.pk)
    assignments = sorted(
        Assignment.objects.filter(round=round_).select_related("member", "building", "unit"),
        key=lambda a: (a.building.number.zfill(8), a.unit.number.zfill(8) if a.unit else ""),
    )
    context = _ctx(request, compound, round=round_, form=form, assignments=assignments)
    return render(request, "residents/rounds/assign.html", context)


@login_required
def round_visits(request: HttpRequest, compound_id: int, round_id: int) -> HttpResponse:
    """A member's own units, household by household in door order."""
    compound = _compound(request, compound_id)
    round_ = _round(request, compound, round_id)
    everything = access.level_for(request.user, compound) >= Level.MANAGE and "all" in request.GET
    visits = selectors.member_visits(round_=round_, user=request.user, everything=everything)
    if not everything and not round_.closed and len(visits) <= INLINE_FORMS_MAX:
        # Every door's form on the page: opened once with signal, the list serves the
        # whole stairwell without any (each record queues on the phone).
        people = selectors.people_of(visits)
        for v in visits:
            v.form = VisitForm(  # type: ignore[attr-defined]
                residents=people.get(v.household_id, []), prefix=f"h{v.household_id}"
            )
    context = _ctx(request, compound, round=round_, visits=visits, everything=everything)
    return render(request, "residents/rounds/visits.html", context)


# A member answers for a unit or two: beyond this many doors the list only links them.
INLINE_FORMS_MAX = 80


def _visit_form(visit: Visit, data: Any = None, prefix: str | None = None) -> VisitForm:
    residents = list(visit.household.residents.filter(moved_out_on=None, erased_at=None))
    return VisitForm(data, residents=residents, prefix=prefix)


@login_required
@require_http_methods(["GET", "POST"])
def visit_page(
    request: HttpRequest, compound_id: int, round_id: int, household_id: int
) -> HttpResponse:
    compound = _compound(request, compound_id)
    round_ = _round(request, compound, round_id)
    try:
        visit = services.visit_for(round_=round_, household_id=household_id)
    except ResidentError:
        raise Http404 from None
    visit = Visit.objects.select_related("household__building", "household__unit").get(pk=visit.pk)
    allowed = not round_.closed and services.may_record(round_, request.user, visit.household)
    prefix = request.POST.get("prefix") or None  # a form of the list of doors, without JS
    form = _visit_form(
        visit, request.POST or None, prefix if prefix == f"h{household_id}" else None
    )
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                visit=visit,
                actor=request.user,
                client_id=uuid4(),
                result=data["result"],
                present=[int(pk) for pk in data["present"]],
                moved_out=[int(pk) for pk in data["moved_out"]],
                returnee=data["returnee"],
                returned_from=data["returned_from"],
                returned_on=data["returned_on"],
                case_contact=data["case_contact"],
                symptoms=data["symptoms"],
                temperature=data["temperature"],
                fever_resident=data["fever_resident"],
                returnee_resident=data["returnee_resident"],
                notes=data["notes"],
                colour=data["colour"],
                colour_reason=data["colour_reason"],
                new_people=[services.NewPerson(**p) for p in form.new_people()],
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(
                request, _("Visit to %(address)s recorded.") % {"address": visit.household.address}
            )
            return redirect("residents:round-visits", compound.pk, round_.pk)
    elif request.method == "POST" and not allowed:
        form.add_error(None, _("You can record visits only in the units assigned to you."))
    context = _ctx(request, compound, round=round_, visit=visit, form=form, allowed=allowed)
    return render(
        request, "residents/rounds/visit.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, compound_id: int, round_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    round_ = _round(request, compound, round_id)
    misses = list(
        services.unvisited(round_).select_related("household__building", "household__unit")
    )
    misses.sort(key=lambda v: v.household.address_key)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fallback = form.cleaned_data["all_reason"].strip()
        reasons = {
            v.pk: (request.POST.get(f"reason-{v.pk}", "").strip() or fallback)[:200] for v in misses
        }
        try:
            services.round_close(round_=round_, actor=request.user, reasons=reasons)
        except ResidentError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The round is closed."))
            return redirect("residents:round", compound.pk, round_.pk)
    context = _ctx(request, compound, round=round_, misses=misses, form=form)
    return render(
        request, "residents/rounds/close.html", context, status=400 if form.errors else 200
    )


@login_required
def round_compare(request: HttpRequest, compound_id: int, round_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    round_ = _round(request, compound, round_id)
    diff = selectors.compare(round_=round_)
    return render(
        request, "residents/rounds/compare.html", _ctx(request, compound, round=round_, diff=diff)
    )


def _building(request: HttpRequest, compound: Compound, building_id: int) -> Building:
    return access.get_scoped_or_404(
        request.user, Building.objects.filter(compound=compound), pk=building_id
    )


def _building_visits(round_: Round, building: Building, unit_id: str | None) -> list[Visit]:
    visits = Visit.objects.filter(round=round_, household__building=building).select_related(
        "household__building", "household__unit"
    )
    if unit_id and unit_id.isdigit():
        visits = visits.filter(household__unit_id=int(unit_id))
    found = list(visits)
    found.sort(key=lambda v: v.household.address_key)
    return found


@login_required
def visit_sheet(
    request: HttpRequest, compound_id: int, round_id: int, building_id: int
) -> HttpResponse:
    """A printable sheet per building (or unit, ?unit=) for members without a smartphone."""
    compound = _compound(request, compound_id)
    round_ = _round(request, compound, round_id)
    building = _building(request, compound, building_id)
    unit_id = request.GET.get("unit")
    visits = _building_visits(round_, building, unit_id)
    units = Unit.objects.filter(building=building)
    context = _ctx(request, compound, round=round_, building=building, visits=visits, units=units)
    return render(request, "residents/rounds/sheet.html", context)


@login_required
def door_cards(
    request: HttpRequest, compound_id: int, round_id: int, building_id: int
) -> HttpResponse:
    """Every door card of a building on A4 (bulk printing), in each door's colour."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    round_ = _round(request, compound, round_id)
    building = _building(request, compound, building_id)
    visits = [v for v in _building_visits(round_, building, None) if v.colour]
    return _cards(request, compound, round_, visits, f"{round_.title} · {building.number}")


@login_required
def door_card(
    request: HttpRequest, compound_id: int, round_id: int, household_id: int
) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    round_ = _round(request, compound, round_id)
    household = access.get_scoped_or_404(
        request.user, Household.objects.filter(compound=compound), pk=household_id
    )
    try:
        visit = services.visit_for(round_=round_, household_id=household.pk)
    except ResidentError:
        raise Http404 from None
    visit = Visit.objects.select_related("household__building", "household__unit").get(pk=visit.pk)
    return _cards(request, compound, round_, [visit], f"{round_.title} · {household.address}")


def _cards(
    request: HttpRequest, compound: Compound, round_: Round, visits: list[Visit], name: str
) -> HttpResponse:
    qr = cards.qr_link(request, compound, actor=request.user, name=name) if visits else ""
    context = _ctx(request, compound, round=round_, qr=qr, **cards.card_items(visits, compound))
    return render(request, "residents/rounds/cards.html", context)


@capability_view(cards.DOOR_CARD)
def hotlines(request: HttpRequest) -> HttpResponse:
    """The public page behind a door card's QR: the compound's hotlines, nothing else."""
    capability = request.capability  # type: ignore[attr-defined]
    compound = (
        Compound.objects.select_related("community").filter(pk=capability.compound_id).first()
    )
    if compound is None:
        raise Http404
    context = {
        "public_compound": compound,
        "hotlines": cards.hotlines(compound),
        "health_line": cards.HEALTH_LINE,
    }
    return render(request, "residents/rounds/hotlines.html", context)
