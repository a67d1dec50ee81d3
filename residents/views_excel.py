"""Excel import/export pages. Placeholders: the Excel work replaces each of these."""

from django.http import HttpResponse


def _todo(request, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("")


import_households = import_template = export_households = _todo
