"""The gate page. Placeholder: the gate-page work replaces these."""

from django.http import HttpResponse


def gate(request, compound_id):  # type: ignore[no-untyped-def]
    return HttpResponse("")


service_worker = gate
