"""The API's list filters: a bad value is refused, never silently ignored.

django-filter reads ``late=maybe`` as "no filter" and answers the whole list, which a
client cannot tell from a real answer. Here every filter validates its value; a bad one
answers 400 ``{"code": "invalid_filter", "detail": …, "<filter>": [messages]}``.

ID filters take their choices from ``scoped_choices`` (``compounds.api``), so an ID of a
compound the user may not see is refused exactly like an ID that does not exist.

``?ordering=`` sorts building, unit and room numbers in their natural order: a viewset
names the fields that hold such numbers in ``natural_fields``; ordering by one of them,
asked for or by default, sorts by ``compounds.ordering.NaturalKey`` so that the API lists
2 before 10 like every page and export does.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OrderBy, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.rest_framework import filterset
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from compounds.errors import BastionError
from compounds.ordering import NaturalKey

TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


class InvalidFilter(BastionError):
    pass


class StrictBooleanField(forms.NullBooleanField):
    # A text input hands over the value as sent; the select widgets turn "maybe" into None.
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class StrictFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = {
        **filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class StrictFilterBackend(filters.DjangoFilterBackend):
    """The default filter backend: builds ``filterset_fields`` on ``StrictFilterSet`` and
    answers a bad value with a code."""

    filterset_base = StrictFilterSet

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            errors = {
                name: [str(m) for m in messages] for name, messages in filterset.errors.items()
            }
            raise InvalidFilter(
                _("Invalid filter: %(names)s.") % {"names": ", ".join(sorted(errors))},
                "invalid_filter",
                **errors,
            )
        return filterset.qs


def natural_term(term: Any, natural_fields: tuple[str, ...]) -> Any:
    """``"-room"`` as ``NaturalKey("room").desc()`` when ``room`` is a natural field."""
    if not isinstance(term, str) or term.lstrip("-") not in natural_fields:
        return term
    key = NaturalKey(term.lstrip("-"))
    return key.desc() if term.startswith("-") else key.asc()


class NaturalOrderingFilter(OrderingFilter):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        natural = tuple(getattr(view, "natural_fields", ()))
        terms: list[str | OrderBy] = [natural_term(t, natural) for t in ordering]
        return queryset.order_by(*terms)
