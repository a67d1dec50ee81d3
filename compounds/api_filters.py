"""The API's ``?ordering=``, with building, unit and room numbers in their natural order.

A viewset names the fields that hold such numbers in ``natural_fields``; ordering by one
of them, asked for or by default, sorts by ``compounds.ordering.NaturalKey`` so that the
API lists 2 before 10 like every page and export does.
"""

from typing import Any

from django.db.models import OrderBy, QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from compounds.ordering import NaturalKey


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
