"""The gate's records in the community office's admin.

Passages are written by the gate and read here (fever alerts are the residents'); cards are
issued on the cards page (unique codes, audit) and only revoked here, through the service.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from checkpoints import codes, services
from checkpoints.errors import BREACH_LABELS, REASON_LABELS, REFUSAL_LABELS, CheckpointError
from checkpoints.models import (
    CompoundRules,
    Passage,
    PassCard,
    RefusedUpload,
    WorkPass,
)
from compounds.admin import ReadOnlyAdmin, ScopedAdmin, on_compound_added, related_only
from compounds.models import Compound


def _give_rules(compound: Compound) -> None:
    # A compound the office adds gets its rules row at once, so the rules list shows it.
    CompoundRules.objects.get_or_create(compound=compound)


on_compound_added(_give_rules)


@admin.register(CompoundRules)
class CompoundRulesAdmin(ScopedAdmin[CompoundRules]):
    list_display = [
        "compound",
        "quota_mode",
        "quota_exits",
        "quota_days",
        "quota_hours",
        "max_minutes_out",
    ]
    list_filter = ["quota_mode"]
    search_fields = ["compound__name"]
    list_select_related = ["compound"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["compound", "updated_at"] if obj else ["updated_at"]

    def save_model(self, request: HttpRequest, obj: CompoundRules, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        # The service validates, saves and records the change.
        services.rules_update(compound=obj.compound, actor=request.user, **values)


def _revoke(reason: str, label: Any) -> Any:
    @admin.action(description=label, permissions=["change"])
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for card in queryset.filter(state=PassCard.State.ACTIVE):
            try:
                services.card_revoke(card=card, actor=request.user, reason=reason)
            except CheckpointError as exc:
                modeladmin.message_user(request, str(exc.message), messages.ERROR)
            else:
                done += 1
        modeladmin.message_user(
            request,
            ngettext("%(count)d card revoked.", "%(count)d cards revoked.", done) % {"count": done},
            messages.SUCCESS,
        )

    action.__name__ = f"revoke_{reason}"
    return action


@admin.register(PassCard)
class PassCardAdmin(ScopedAdmin):
    list_display = [
        "printed_number",
        "household",
        "compound",
        "state",
        "issued_at",
        "issued_by",
        "revoked_at",
        "revoke_reason",
    ]
    list_filter = ["state", "revoke_reason", related_only("compound")]
    search_fields = ["number", "household__room"]
    list_select_related = ["compound", "household__building", "household__unit", "issued_by"]
    # The QR secret is never shown here: it is printed on the card and nowhere else.
    fields = readonly_fields = (
        "number",
        "household",
        "compound",
        "state",
        "issued_at",
        "issued_by",
        "revoked_at",
        "revoke_reason",
    )
    actions = [
        _revoke(PassCard.RevokeReason.LOST, _("Revoke selected cards: lost")),
        _revoke(PassCard.RevokeReason.WITHDRAWN, _("Revoke selected cards: withdrawn")),
    ]

    @admin.display(description=_("card number"), ordering="number")
    def printed_number(self, obj: PassCard) -> str:
        return codes.display_number(obj.number)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkPass)
class WorkPassAdmin(ScopedAdmin):
    list_display = ["resident", "household", "work_unit", "certificate", "valid_from", "valid_to"]
    list_filter = [related_only("resident__household__compound"), "valid_to"]
    search_fields = ["resident__name", "work_unit", "certificate"]
    list_select_related = ["resident__household__building", "resident__household__unit"]
    autocomplete_fields = ["resident"]

    @admin.display(description=_("household"))
    def household(self, obj: WorkPass) -> str:
        return obj.resident.household.address


class ReasonFilter(admin.SimpleListFilter):
    """The refusal by its label, not its code (quota_used)."""

    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(REASON_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(Passage)
class PassageAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "compound",
        "opening",
        "household",
        "direction",
        "verdict",
        "reason_label",
        "temperature",
        "fever",
        "late",
        "breach_label",
        "decided_on",
        "volunteer",
    ]
    list_filter = [
        "direction",
        "verdict",
        ReasonFilter,
        "decided_on",
        "fever",
        "late",
        related_only("compound"),
        "occurred_at",
    ]
    search_fields = ["household__room", "card__number"]
    list_select_related = [
        "compound",
        "opening",
        "household__building",
        "household__unit",
        "volunteer",
    ]
    # The log grows by hundreds of thousands of rows: no full COUNT(*) on every page.
    show_full_result_count = False

    @admin.display(description=_("reason"), ordering="reason")
    def reason_label(self, obj: Passage) -> str:
        return str(REASON_LABELS.get(obj.reason, obj.reason))

    @admin.display(description=_("rule breach found"), ordering="breach")
    def breach_label(self, obj: Passage) -> str:
        return str(BREACH_LABELS.get(obj.breach, obj.breach))


@admin.register(RefusedUpload)
class RefusedUploadAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "compound", "opening", "code_label", "device_time", "volunteer"]
    list_filter = ["code", related_only("compound"), "received_at"]
    search_fields = ["volunteer__username", "device_time"]
    list_select_related = ["compound", "opening", "volunteer"]

    @admin.display(description=_("refusal"), ordering="code")
    def code_label(self, obj: RefusedUpload) -> str:
        return str(REFUSAL_LABELS.get(obj.code, obj.code))
