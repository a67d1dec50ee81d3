"""Registry pages. Placeholders: the registry-pages work replaces each of these."""

from django.http import HttpResponse


def _todo(request, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("")


buildings = building_detail = households = household_create = household_detail = _todo
household_edit = resident_create = resident_edit = vulnerable = returnees = _todo
