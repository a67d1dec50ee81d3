"""Households and residents in the community office's admin (scoped, audited, masked),
the compounds' health rules, and the fever alerts with their steps (read only)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compounds.admin import (
    ReadOnlyAdmin,
    ScopedAdmin,
    ScopedTabularInline,
    audit_change,
    on_compound_added,
    related_only,
)
from compounds.models import Compound
from compounds.selectors import subquery_count
from residents import rules, services
from residents.errors import ResidentError
from residents.flags import FLAG_NAMES, NEEDS_AND_STATUS, RETURN_FLAGS
from residents.forms import ConstraintsAreTheServices
from residents.models import (
    FeverAction,
    FeverAlert,
    HealthRules,
    Household,
    Quarantine,
    Resident,
    Round,
    Visit,
    address_order,
)
from residents.services import RESIDENT_FIELDS, health_rules_update
from residents.validators import mask_id_number, mask_phone, normalize_id_number


class QuarantineFilter(admin.SimpleListFilter):
    title = _("home quarantine")
    parameter_name = "quarantine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("now", _("in home quarantine now")), ("no", _("not in quarantine"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today: date = timezone.localdate()
        if self.value() == "now":
            return queryset.filter(quarantine_until__gte=today)
        if self.value() == "no":
            return queryset.exclude(quarantine_until__gte=today)
        return queryset


class CheckedByService(ConstraintsAreTheServices):
    """An admin form whose rules are the service's: the row is checked by the service's own
    check, so the admin refuses what the page and the API refuse, in the same words and
    with the same code. The model's constraints give way to it (they would say it
    otherwise); field validation (formats, choices) still runs first."""

    def service_check(self) -> None:
        raise NotImplementedError

    def validate_unique(self) -> None:
        if self.errors:  # during cleaning: the errors so far, no second clean
            return  # a field is already wrong; the service would repeat it
        if self.instance.pk and not self.has_changed():
            return  # an inline row nobody touched is not written
        try:
            self.service_check()
        except ResidentError as error:
            add_refusal(self, error)


def add_refusal(form: forms.BaseForm, error: ResidentError) -> None:
    """The service's refusal beside the field it concerns (or above the form)."""
    name = error.params.get("field")
    refusal = forms.ValidationError(str(error.message), code=error.code)
    form.add_error(name if isinstance(name, str) and name in form.fields else None, refusal)


class HouseholdForm(CheckedByService):
    class Meta:
        model = Household
        fields = ["building", "unit", "room", "contact_phone", "note"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        building = data.get("building")
        if building and not self.instance.pk:
            # A new household's compound is its building's; a household keeps its compound.
            self.instance.compound_id = building.compound_id
        return data

    def service_check(self) -> None:
        services.household_check(self.instance)


class ResidentForm(CheckedByService):
    class Meta:
        model = Resident
        fields = ["household", *RESIDENT_FIELDS]

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data.get("id_number", ""))

    def service_check(self) -> None:
        services.resident_check(self.instance)


class ResidentFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """Two rows of one save with one ID number: each row's own check cannot see the
        other (neither is written yet), so the refusal the service would give is made here."""
        super().clean()
        first: dict[str, str] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            number = data.get("id_number")
            if not number or data.get("DELETE"):
                continue
            if number in first:
                refusal = rules.id_number_registered(
                    name=first[number], address=self.instance.address
                )
                add_refusal(form, refusal)
            else:
                first[number] = data.get("name", "")


class ResidentInline(ScopedTabularInline):
    model = Resident
    form = ResidentForm
    formset = ResidentFormSet
    fields = ["name", "sex", "birth_year", "relation", "phone", "id_number", *FLAG_NAMES]
    extra = 0
    show_change_link = True


def _take_over(obj: Model, saved: Model) -> None:
    """Make the admin's ``obj`` the row the service wrote: the admin goes on with it (its
    log entry, the inline rows it saves next, the redirect)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _values(form: forms.BaseForm, names: Iterable[str], *, changed: bool) -> dict[str, Any]:
    wanted = set(form.changed_data) if changed else set(form.cleaned_data)
    return {n: form.cleaned_data[n] for n in names if n in wanted and n in form.cleaned_data}


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    form = HouseholdForm
    list_display = [
        "address",
        "compound",
        "contact_phone_masked",
        "resident_count",
        "quarantine_until",
        "note",
    ]
    list_filter = [related_only("compound"), QuarantineFilter, "building__sealed"]
    # "绿景 1702" finds 20-1702 of 绿景水岸: the words are matched against each field.
    search_fields = [
        "room",
        "building__number",
        "compound__name",
        "residents__name",
        "=contact_phone",
    ]
    list_select_related = ["compound", "building", "unit"]
    # The gate's flag: shown, written by the quarantine service only.
    readonly_fields = ["quarantine_until"]
    inlines = [ResidentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The address (str) of a household needs its building and unit: the autocomplete
        # of other forms lists households through this queryset too.
        return (
            super()
            .get_queryset(request)
            .select_related("building", "unit")
            .annotate(_residents=subquery_count(Resident, "household"))
        )

    def save_model(self, request: HttpRequest, obj: Household, form: Any, change: bool) -> None:
        # The service validates, writes and audits (as on the page and in the API).
        if change:
            values = _values(form, services.HOUSEHOLD_FIELDS, changed=True)
            saved = services.household_update(household=obj, actor=request.user, **values)
        else:
            values = _values(form, services.HOUSEHOLD_FIELDS, changed=False)
            saved = services.household_create(
                compound=obj.building.compound, actor=request.user, **values
            )
        _take_over(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Resident:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)  # sorts the rows into new, changed and deleted
        for resident in formset.deleted_objects:
            audit_change(request, resident, {}, [], "delete")
            resident.delete()
        for resident, names in formset.changed_objects:
            values = {n: getattr(resident, n) for n in names if n in RESIDENT_FIELDS}
            services.resident_update(resident=resident, actor=request.user, **values)
        fields = [n for n in RESIDENT_FIELDS if n in formset.form.base_fields]
        for resident in formset.new_objects:
            services.resident_create(
                household=form.instance,
                actor=request.user,
                **{n: getattr(resident, n) for n in fields},
            )

    @admin.display(description=_("address"), ordering=address_order())
    def address(self, obj: Household) -> str:
        return obj.address

    @admin.display(description=_("contact phone"))
    def contact_phone_masked(self, obj: Household) -> str:
        return mask_phone(obj.contact_phone)

    @admin.display(description=_("residents"), ordering="_residents")
    def resident_count(self, obj: Household) -> int:
        return obj._residents  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    form = ResidentForm
    list_display = [
        "name",
        "household_address",
        "compound",
        "sex",
        "birth_year",
        "relation",
        "id_number_masked",
        "phone_masked",
        "returnee",
        "vulnerable_flag",
    ]
    list_filter = [related_only("household__compound"), *FLAG_NAMES, "relation", "sex"]
    # The full ID number finds a person exactly; partial numbers find nobody.
    search_fields = ["name", "=id_number", "=phone", "household__room"]
    list_select_related = ["household__compound", "household__building", "household__unit"]
    autocomplete_fields = ["household"]
    fieldsets = [
        (None, {"fields": ["household", "name", "sex", "birth_year", "relation"]}),
        (_("Contact and identity"), {"fields": ["phone", "id_number"]}),
        (
            _("Needs"),
            {"fields": list(NEEDS_AND_STATUS)},
        ),
        (
            _("Return and quarantine"),
            {
                "fields": [
                    *RETURN_FLAGS,
                    "returned_from",
                    "returned_on",
                    "return_transport",
                    "quarantine_until",
                    "moved_out_on",
                ]
            },
        ),
        (None, {"fields": ["note"]}),
    ]

    actions = ["erase"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.erased:  # resident_update refuses them: say so up front
            return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]
        # A resident stays in their household (as in the API): moving is a new registration.
        # The quarantine flag and the move-out have services of their own.
        flags = ["quarantine_until", "moved_out_on"]
        return ["household", *flags] if obj else flags

    @admin.action(description=_("Erase the selected residents' personal data on request"))
    def erase(self, request: HttpRequest, queryset: QuerySet) -> None:
        erased = 0
        for resident in queryset.filter(erased_at__isnull=True):
            try:
                services.resident_erase(
                    resident=resident, actor=request.user, reason=gettext("on request (office)")
                )
            except ResidentError as error:
                self.message_user(request, str(error.message), messages.ERROR)
            else:
                erased += 1
        self.message_user(
            request, gettext("%(count)d residents erased.") % {"count": erased}, messages.SUCCESS
        )

    def save_model(self, request: HttpRequest, obj: Resident, form: Any, change: bool) -> None:
        # The service validates, writes and audits (as on the page and in the API).
        if change:
            values = _values(form, RESIDENT_FIELDS, changed=True)
            saved = services.resident_update(resident=obj, actor=request.user, **values)
        else:
            values = _values(form, RESIDENT_FIELDS, changed=False)
            saved = services.resident_create(
                household=form.cleaned_data["household"], actor=request.user, **values
            )
        _take_over(obj, saved)

    @admin.display(description=_("household"), ordering=address_order("household__"))
    def household_address(self, obj: Resident) -> str:
        return obj.household.address

    @admin.display(description=_("compound"))
    def compound(self, obj: Resident) -> str:
        return str(obj.household.compound)

    @admin.display(description=_("ID card number"))
    def id_number_masked(self, obj: Resident) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: Resident) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("vulnerable"), boolean=True)
    def vulnerable_flag(self, obj: Resident) -> bool:
        return obj.vulnerable


def _give_health_rules(compound: Compound) -> None:
    # A compound the office adds gets its row at once, so the rules list shows it.
    HealthRules.objects.get_or_create(compound=compound)


on_compound_added(_give_health_rules)


@admin.register(HealthRules)
class HealthRulesAdmin(ScopedAdmin):
    list_display = ["compound", "fever_line", "updated_at"]
    search_fields = ["compound__name"]
    list_select_related = ["compound"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["compound", "updated_at"] if obj else ["updated_at"]

    def save_model(self, request: HttpRequest, obj: HealthRules, form: Any, change: bool) -> None:
        # The service validates, saves and records the change.
        health_rules_update(
            compound=obj.compound, actor=request.user, fever_line=form.cleaned_data["fever_line"]
        )


class FeverActionInline(admin.TabularInline):
    model = FeverAction
    fields = readonly_fields = ("at", "status", "temperature", "note", "actor")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeverAlert)
class FeverAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "compound", "temperature", "status", "address", "source"]
    list_filter = ["status", "source", related_only("compound")]
    search_fields = ["household__room", "resident__name"]
    list_select_related = ["compound", "household__building", "household__unit"]
    inlines = [FeverActionInline]

    @admin.display(description=_("household"))
    def address(self, obj: FeverAlert) -> str:
        return obj.household.address if obj.household else gettext("(no card)")


@admin.register(FeverAction)
class FeverActionAdmin(ReadOnlyAdmin):
    list_display = ["at", "alert", "compound", "status", "temperature", "actor", "note"]
    list_filter = ["status", related_only("alert__compound")]
    search_fields = ["note", "actor__username"]
    list_select_related = ["alert__compound", "actor"]

    @admin.display(description=_("compound"))
    def compound(self, obj: FeverAction) -> str:
        return str(obj.alert.compound)


# --- rounds and quarantine: the office reads them; the services write them ---------------


@admin.register(Quarantine)
class QuarantineAdmin(ReadOnlyAdmin):
    list_display = ["resident", "compound", "reason", "kind", "starts_on", "ends_on", "ended_on"]
    list_filter = ["reason", "kind", related_only("compound")]
    search_fields = ["resident__name", "household__room", "site_name"]
    list_select_related = ["resident", "compound"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "compound", "number", "starts_on", "ends_on", "closed_at"]
    list_filter = [related_only("compound")]
    search_fields = ["title"]
    list_select_related = ["compound"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["household", "round", "result", "colour", "visited_at"]
    list_filter = ["result", "colour", related_only("compound")]
    search_fields = ["household__room"]
    list_select_related = ["household__building", "household__unit", "round"]
