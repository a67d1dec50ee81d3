"""The community office's admin, and the scoping every Bastion admin page goes through.

Staff who are not superusers see only the compounds their roles give them (through
``compounds.access``): changelists, foreign-key choices, list filters and autocompletes
all start from that. Every save and delete made here leaves an ``AuditEntry``.
"""

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from compounds import access, audit, counts, masking
from compounds.access import Level, visible_communities
from compounds.capabilities import capability_revoke
from compounds.models import (
    AuditEntry,
    Branch,
    BranchMember,
    Building,
    Capability,
    Community,
    Compound,
    Opening,
    Role,
    Unit,
)
from compounds.ordering import NaturalKey
from compounds.scope import compound_id_of, scope_path
from compounds.selectors import audit_entries_visible, subquery_count
from compounds.services import (
    OPENING_FIELDS,
    audit_record,
    building_seal,
    diff,
    opening_update,
    role_grant,
    role_revoke,
    snapshot,
)


def officer_communities(user: Any) -> QuerySet[Community]:
    if user.is_superuser:
        return Community.objects.all()
    return Community.objects.filter(roles__user=user, roles__kind=Role.Kind.OFFICER).distinct()


def visible_users(user: Any) -> QuerySet:
    """Logins an officer may pick: those with a role in their compounds, or none yet."""
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    compounds = access.visible_compound_ids(user)
    return users.filter(
        Q(bastion_roles__compound__in=compounds)
        | Q(bastion_roles__community__in=officer_communities(user))
        | Q(bastion_roles__isnull=True),
        is_superuser=False,
    ).distinct()


def scoped_choices(user: Any, model: type[Model]) -> QuerySet | None:
    """The rows of ``model`` a non-superuser may pick in a form, or None for no limit."""
    if model is Community:
        return officer_communities(user)
    if model is get_user_model():
        return visible_users(user)
    path = scope_path(model)
    if path is None:
        return None
    # A form writes: only rows of compounds the user manages. A volunteer's compound is
    # not offered (adding a resident there would also answer "this ID number is already
    # registered for …", which a volunteer may not learn).
    qs = access.scoped(user, model._default_manager.all()).exclude(
        **{f"{path}__in": access.masked_compound_ids(user)}
    )
    # Labels that say which compound a row is in: "Building 3" alone is ambiguous.
    if model is Building:
        qs = qs.select_related("compound")
    elif model is Unit:
        qs = qs.select_related("building__compound")
    return qs


def _choice_label(model: type[Model]) -> Callable[[Any], str] | None:
    if model is Building:
        return lambda b: f"{b.compound} · {b}"
    if model is Unit:
        return lambda u: f"{u.building.compound} · {u.building.number}-{u.number}"
    return None


ADMIN_ACTIONS = {"add": audit.ADMIN_ADD, "change": audit.ADMIN_CHANGE, "delete": audit.ADMIN_DELETE}


def audit_change(
    request: HttpRequest, obj: Model, before: dict[str, Any], fields: list[str], verb: str
) -> None:
    compound_id = compound_id_of(obj)
    if compound_id is None:
        return
    changes = diff(before, snapshot(obj, fields)) if verb != "delete" else {}
    audit_record(
        compound=compound_id,
        actor=request.user,
        action=ADMIN_ACTIONS[verb],
        obj=obj,
        changes=changes,
    )


def model_fields(model: type[Model], names: list[str]) -> list[str]:
    concrete = {f.name for f in model._meta.concrete_fields}
    return [n for n in names if n in concrete]


M = TypeVar("M", bound=Model)

if TYPE_CHECKING:
    _AdminBase = BaseModelAdmin[Any]
else:
    _AdminBase = object


_masked_displays: dict[tuple[type[Model], str], Callable[[Model], str]] = {}


def masked_display(model: type[Model], name: str) -> Callable[[Model], str]:
    """A read-only admin field showing ``model.name`` masked (one object per field, so that
    the form's fields and its read-only fields name the same thing)."""
    known = _masked_displays.get((model, name))
    if known is not None:
        return known
    mask = masking.personal_fields()[name]

    def shown(obj: Model) -> str:
        return mask(getattr(obj, name) or "")

    shown.short_description = model._meta.get_field(name).verbose_name  # type: ignore[attr-defined,union-attr]
    shown.__name__ = f"{name}_masked"
    return _masked_displays.setdefault((model, name), shown)


class ScopedFormMixin(_AdminBase):
    """Foreign-key choices limited to what the user may see (ModelAdmin and inlines), and
    personal numbers masked for a login that may not see them.

    A field whose name is registered in ``compounds.masking`` (phones, ID numbers) is
    replaced, on the page of a row of a compound where the login stands below MANAGE, by a
    read-only ``masked_display`` (such a login cannot change the row anyway): the admin
    follows ``access.sees_personal_data`` like the pages and the API.
    """

    def personal_names(self) -> list[str]:
        concrete = {f.name for f in self.model._meta.concrete_fields}
        return [n for n in masking.personal_fields() if n in concrete]

    def masks_for(self, request: HttpRequest, obj: Model | None) -> bool:
        """Whether the page of ``obj`` (an inline's parent) must mask personal numbers."""
        if obj is None or request.user.is_superuser:
            return False
        compound_id = compound_id_of(obj)
        return compound_id is not None and not access.sees_personal_data(request.user, compound_id)

    def _swap(self, names: Any, personal: list[str]) -> list[Any]:
        return [
            masked_display(self.model, n) if isinstance(n, str) and n in personal else n
            for n in names
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if not self.masks_for(request, obj):
            return fields
        return self._swap(fields, self.personal_names())

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if not self.masks_for(request, obj):
            return fieldsets
        personal = self.personal_names()
        return [
            (title, {**options, "fields": self._swap(options["fields"], personal)})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly: list[Any] = list(super().get_readonly_fields(request, obj))
        if self.masks_for(request, obj):
            personal = self.personal_names()
            readonly = [n for n in readonly if n not in personal]
            readonly += [masked_display(self.model, n) for n in personal]
        return readonly

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        model = db_field.related_model
        if "queryset" not in kwargs:
            if not request.user.is_superuser:
                limited = scoped_choices(request.user, model)
                if limited is not None:
                    kwargs["queryset"] = limited
            elif model is Building:
                kwargs["queryset"] = Building.objects.select_related("compound")
            elif model is Unit:
                kwargs["queryset"] = Unit.objects.select_related("building__compound")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        label = _choice_label(model)
        if field is not None and label is not None:
            # Django reads the label through the instance: one field's labels, no subclass.
            field.label_from_instance = label  # type: ignore[method-assign, assignment]
        return field


# Generic through typing's Generic: Django's ModelAdmin cannot be subscripted at run time.
class ScopedAdmin(ScopedFormMixin, admin.ModelAdmin, Generic[M]):
    """Querysets scoped to the user's compounds; writes need MANAGE and are audited."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if scope_path(self.model) is None:
            return qs.none()
        return access.scoped(request.user, qs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Adding needs a compound (or, for an officer, a community) to add to: a login
        that manages none adds nothing."""
        user = request.user
        manages = any(level >= Level.MANAGE for level in access.compound_levels(user).values())
        if not (user.is_superuser or manages or officer_communities(user).exists()):
            return False
        return super().has_add_permission(request)

    def get_search_fields(self, request: HttpRequest) -> Any:
        fields = super().get_search_fields(request)
        if getattr(request, "_bastion_search_personal", True):
            return fields
        personal = set(masking.personal_fields())
        return [f for f in fields if f.lstrip("=^@").split("__")[-1] not in personal]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """A search by a full phone or ID number matches only in the compounds where the
        login sees full numbers: elsewhere the list would confirm a number it masks."""
        masked = access.masked_compound_ids(request.user)
        path = scope_path(self.model)
        if not search_term or not masked or path is None or request.user.is_superuser:
            return super().get_search_results(request, queryset, search_term)
        request._bastion_search_personal = False  # type: ignore[attr-defined]
        found, duplicates = super().get_search_results(request, queryset, search_term)
        request._bastion_search_personal = True  # type: ignore[attr-defined]
        full = queryset.exclude(**{f"{path}__in": masked})
        more, more_duplicates = super().get_search_results(request, full, search_term)
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=more.values("pk"))), (
            duplicates or more_duplicates
        )

    def _may_manage(self, request: HttpRequest, obj: M | None) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        compound_id = compound_id_of(obj)
        return compound_id is None or access.level_for(request.user, compound_id) >= Level.MANAGE

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    # --- the audit trail ------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: M, form: Any, change: bool) -> None:
        fields = model_fields(self.model, list(form.changed_data))
        before: dict[str, Any] = {}
        if change:
            original = self.model._default_manager.filter(pk=obj.pk).first()
            before = snapshot(original, fields) if original else {}
        super().save_model(request, obj, form, change)
        audit_change(request, obj, before, fields, "change" if change else "add")

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        audit_change(request, obj, {}, [], "delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            audit_change(request, obj, {}, [], "delete")
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        changed = [f.instance.pk for f in formset.forms if f.instance.pk and f.has_changed()]
        originals = formset.model._default_manager.in_bulk(changed)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_change(request, obj, {}, [], "delete")
            obj.delete()
        for obj in instances:
            obj.save()
        formset.save_m2m()
        for obj, names in formset.changed_objects:
            fields = model_fields(formset.model, list(names))
            original = originals.get(obj.pk)
            audit_change(
                request, obj, snapshot(original, fields) if original else {}, fields, "change"
            )
        for obj in formset.new_objects:
            fields = model_fields(formset.model, [f.name for f in obj._meta.concrete_fields])
            fields = [f for f in fields if f not in ("id", "created_at", "updated_at")]
            audit_change(request, obj, {}, fields, "add")


class ReadOnlyAdmin(ScopedAdmin):
    """Records written by the gate or the audit trail: the office reads them, nobody edits."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ScopedTabularInline(ScopedFormMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedFormMixin, admin.StackedInline):
    pass


def related_only(path: str) -> tuple[str, type[admin.RelatedOnlyFieldListFilter]]:
    """A list filter offering only values present in the (scoped) changelist."""
    return (path, admin.RelatedOnlyFieldListFilter)


# --- compounds ------------------------------------------------------------------------------


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "hotline", "compound_count"]
    search_fields = ["name", "district"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = visible_communities(request.user).annotate(
            _compounds=subquery_count(Compound, "community")
        )
        return qs

    @admin.display(description=_("compounds"), ordering="_compounds")
    def compound_count(self, obj: Community) -> int:
        return obj._compounds  # type: ignore[attr-defined]  # annotated by get_queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Community | None = None) -> bool:
        if obj is not None and not request.user.is_superuser:
            if not officer_communities(request.user).filter(pk=obj.pk).exists():
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Community | None = None) -> bool:
        return request.user.is_superuser


class BuildingInline(ScopedTabularInline):
    model = Building
    fields = ["number", "sealed", "sealed_since", "note"]
    # Sealing goes through the building's own page, where it is recorded.
    readonly_fields = ["sealed", "sealed_since"]
    extra = 0
    show_change_link = True


class OpeningInline(ScopedTabularInline):
    """The compound's openings, to read: their state and vehicle rule change on the
    opening's own page, through ``opening_update`` (audited, and the gate's phones learn
    of it by the gate version)."""

    model = Opening
    fields = ["name", "state", "vehicle_rule"]
    readonly_fields = ["name", "state", "vehicle_rule"]
    show_change_link = True
    extra = 0

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


_count_columns: dict[tuple[type[Model], str], Callable[[Any], int]] = {}


def count_columns(model: type[Model]) -> list[Callable[[Any], int]]:
    """A sortable changelist column for each count other apps registered for ``model``.

    Made once per count: the admin tells sortable columns by identity.
    """
    columns = []
    for count in counts.counts_for(model):
        key = (model, count.name)
        if key not in _count_columns:

            @admin.display(description=count.label, ordering=count.name)
            def column(obj: Any, name: str = count.name) -> int:
                return getattr(obj, name)

            column.__name__ = count.name
            _count_columns[key] = column
        columns.append(_count_columns[key])
    return columns


# Called with each compound the office adds here: what a new compound needs from an app
# (its gate rules row) is registered by that app's admin module.
_on_compound_added: list[Callable[[Compound], None]] = []


def on_compound_added(callback: Callable[[Compound], None]) -> None:
    if callback not in _on_compound_added:
        _on_compound_added.append(callback)


@admin.register(Compound)
class CompoundAdmin(ScopedAdmin[Compound]):
    list_display = [
        "name",
        "community",
        "kind",
        "three_without",
        "grid",
        "building_count",
    ]
    list_filter = [related_only("community"), "kind", "three_without"]
    search_fields = ["name", "address", "grid"]
    list_select_related = ["community"]
    inlines = [BuildingInline, OpeningInline]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_display(request), *count_columns(Compound)]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return counts.annotate(
            super().get_queryset(request).annotate(_buildings=subquery_count(Building, "compound"))
        )

    @admin.display(description=_("buildings"), ordering="_buildings")
    def building_count(self, obj: Compound) -> int:
        return obj._buildings  # type: ignore[attr-defined]  # annotated by get_queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new compound needs a community to put it in: officers and superusers only.
        if not request.user.is_superuser and not officer_communities(request.user).exists():
            return False
        return super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Compound, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            for callback in _on_compound_added:
                callback(obj)
            # The creator's cached levels predate the compound.
            if hasattr(request.user, access._CACHE_ATTR):
                delattr(request.user, access._CACHE_ATTR)


class UnitInline(ScopedTabularInline):
    model = Unit
    fields = ["number"]
    extra = 0


@admin.register(Building)
class BuildingAdmin(ScopedAdmin[Building]):
    list_display = ["label", "compound", "sealed", "sealed_since", "note"]
    list_filter = [related_only("compound"), "sealed"]
    search_fields = ["number", "compound__name", "note"]
    list_select_related = ["compound"]
    inlines = [UnitInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A building stays in its compound: its households record that compound (the
        # registry's services keep the two equal), and a move here would part them.
        return ["compound", "sealed_since"] if obj else ["sealed_since"]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return [*super().get_list_display(request), *count_columns(Building)]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return counts.annotate(super().get_queryset(request))

    @admin.display(description=_("building"), ordering=NaturalKey("number"))
    def label(self, obj: Building) -> str:
        return str(obj)

    def save_model(self, request: HttpRequest, obj: Building, form: Any, change: bool) -> None:
        if "sealed" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        # Sealing is a domain change of its own (time stamp, audit): save the other fields
        # with the old state, then let the service seal or unseal.
        wanted = obj.sealed
        obj.sealed = not wanted if change else False
        super().save_model(request, obj, form, change)
        building_seal(building=obj, sealed=wanted, actor=request.user)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["label", "building", "compound"]
    list_filter = [related_only("building__compound")]
    search_fields = ["number", "building__number", "building__compound__name"]
    list_select_related = ["building__compound"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A unit stays in its building: its households' unit and building must agree.
        return ["building"] if obj else []

    @admin.display(description=_("unit"), ordering=NaturalKey("number"))
    def label(self, obj: Unit) -> str:
        return str(obj)

    @admin.display(description=_("compound"), ordering="building__compound__name")
    def compound(self, obj: Unit) -> Compound:
        return obj.building.compound


@admin.register(Opening)
class OpeningAdmin(ScopedAdmin):
    list_display = ["name", "compound", "state", "vehicle_rule"]
    list_filter = [related_only("compound"), "state", "vehicle_rule"]
    search_fields = ["name", "compound__name"]
    list_select_related = ["compound"]

    def save_model(self, request: HttpRequest, obj: Opening, form: Any, change: bool) -> None:
        wanted = {name: getattr(obj, name) for name in OPENING_FIELDS}
        if not change or not set(OPENING_FIELDS) & set(form.changed_data):
            super().save_model(request, obj, form, change)
            return
        # State and vehicle rule are gate inputs: the service audits them and bumps the
        # compound's gate_version. The other fields are saved as before.
        current = Opening.objects.get(pk=obj.pk)
        for name in OPENING_FIELDS:
            setattr(obj, name, getattr(current, name))
        super().save_model(request, obj, form, change)
        opening_update(opening=obj, actor=request.user, **wanted)


@admin.register(Role)
class RoleAdmin(ScopedFormMixin, admin.ModelAdmin):
    """Roles are given and removed through the services, which audit them; a change is
    the old role removed and the new one given."""

    list_display = ["user", "kind", "community", "compound"]
    list_filter = ["kind", related_only("compound"), related_only("community")]
    search_fields = ["user__username", "compound__name", "community__name"]
    list_select_related = ["user", "community", "compound"]

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        if change and not form.changed_data:
            return
        if change:
            role_revoke(role=Role.objects.get(pk=obj.pk), actor=request.user)
        granted = role_grant(
            user=obj.user,
            kind=obj.kind,
            community=obj.community,
            compound=obj.compound,
            actor=request.user,
        )
        obj.pk = granted.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Role) -> None:
        role_revoke(role=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for role in queryset:
            role_revoke(role=role, actor=request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            Q(compound__in=access.visible_compound_ids(request.user))
            | Q(community__in=officer_communities(request.user))
        )


class BranchMemberInline(ScopedTabularInline):
    model = BranchMember
    fields = ["name", "position", "work_unit", "phone", "party_member", "active", "user"]
    extra = 0


@admin.register(Branch)
class BranchAdmin(ScopedAdmin):
    list_display = ["name", "compound", "founded_on", "member_count"]
    list_filter = [related_only("compound"), "compound__kind"]
    search_fields = ["name", "compound__name", "members__name"]
    list_select_related = ["compound"]
    inlines = [BranchMemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super().get_queryset(request).annotate(_members=subquery_count(BranchMember, "branch"))
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj: Branch) -> int:
        return obj._members  # type: ignore[attr-defined]  # annotated by get_queryset


@admin.register(BranchMember)
class BranchMemberAdmin(ScopedAdmin):
    list_display = ["name", "branch", "position", "work_unit", "phone", "party_member", "user"]
    list_filter = ["position", "party_member", "active", related_only("branch__compound")]
    search_fields = ["name", "work_unit", "branch__name"]
    list_select_related = ["branch", "user"]


class ActionFilter(admin.SimpleListFilter):
    """Audit actions by their labels (every app's, from the registry), not their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        actions = audit.registered_actions().values()
        return sorted(((a.name, a.label) for a in actions), key=lambda pair: str(pair[1]))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "compound", "community", "actor", "action_label", "object_repr"]
    list_filter = [
        ActionFilter,
        "object_type",
        related_only("compound"),
        related_only("community"),
    ]
    search_fields = ["object_repr", "actor__username", "action"]
    list_select_related = ["compound", "community", "actor"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Not the compound path of ScopedAdmin: logins and roles belong to no compound.
        return audit_entries_visible(request.user).select_related(*self.list_select_related)

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditEntry) -> str:
        return audit.action_label(obj.action)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The before/after of a phone is kept in full: masked for a volunteer."""
        fields = super().get_fields(request, obj)
        if not self.masks_for(request, obj):
            return fields
        return [changes_masked if name == "changes" else name for name in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, changes_masked] if self.masks_for(request, obj) else readonly


@admin.display(description=_("changes"))
def changes_masked(obj: AuditEntry) -> str:
    return json.dumps(masking.mask_personal_changes(obj.changes), ensure_ascii=False)


@admin.register(Capability)
class CapabilityAdmin(ReadOnlyAdmin):
    """Links and device tokens: listed here, revoked through the service (audited).

    Tokens exist in clear only when issued; the list shows their first characters.
    """

    list_display = ["name", "purpose", "hint", "owner", "compound", "created_at"]
    list_display += ["last_used_at", "expires_at", "revoked_at"]
    list_filter = ["purpose", related_only("compound")]
    search_fields = ["name", "owner__username", "hint"]
    list_select_related = ["owner", "compound"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected links and tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        for capability in queryset.filter(revoked_at__isnull=True):
            capability_revoke(capability=capability, actor=request.user)
