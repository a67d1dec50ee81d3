"""Households and residents in the community office's admin (scoped, audited, masked),
the compounds' health rules, and the fever alerts with their steps (read only)."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compounds.admin import (
    ReadOnlyAdmin,
    ScopedAdmin,
    ScopedTabularInline,
    on_compound_added,
    related_only,
)
from compounds.models import Compound
from compounds.selectors import subquery_count
from residents.models import (
    FeverAction,
    FeverAlert,
    HealthRules,
    Household,
    Resident,
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


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["building", "unit", "room", "contact_phone", "quarantine_until", "note"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        building, unit = data.get("building"), data.get("unit")
        if building and unit and unit.building_id != building.pk:
            self.add_error("unit", _("This unit is in another building."))
        if building:
            # The compound is stored beside the building; set it before model validation.
            self.instance.compound_id = building.compound_id
        return data


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        fields = ["household", *RESIDENT_FIELDS]

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data.get("id_number", ""))


class ResidentInline(ScopedTabularInline):
    model = Resident
    form = ResidentForm
    fields = [
        "name",
        "sex",
        "birth_year",
        "relation",
        "phone",
        "id_number",
        "party_member",
        "elderly_alone",
        "chronic_illness",
        "disability",
        "pregnant",
        "infant",
        "returnee",
    ]
    extra = 0
    show_change_link = True


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
    list_filter = [
        related_only("household__compound"),
        "returnee",
        "party_member",
        "elderly_alone",
        "chronic_illness",
        "disability",
        "pregnant",
        "infant",
        "relation",
        "sex",
    ]
    # The full ID number finds a person exactly; partial numbers find nobody.
    search_fields = ["name", "=id_number", "=phone", "household__room"]
    list_select_related = ["household__compound", "household__building", "household__unit"]
    autocomplete_fields = ["household"]
    fieldsets = [
        (None, {"fields": ["household", "name", "sex", "birth_year", "relation"]}),
        (_("Contact and identity"), {"fields": ["phone", "id_number"]}),
        (
            _("Needs"),
            {
                "fields": [
                    "party_member",
                    "elderly_alone",
                    "chronic_illness",
                    "disability",
                    "pregnant",
                    "infant",
                ]
            },
        ),
        (
            _("Return and quarantine"),
            {
                "fields": [
                    "returnee",
                    "returned_from",
                    "returned_on",
                    "return_transport",
                    "quarantine_until",
                ]
            },
        ),
        (None, {"fields": ["note"]}),
    ]

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
