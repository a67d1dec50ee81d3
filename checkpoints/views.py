from django.http import HttpResponse


def gate(request, compound_id):  # placeholder until the gate pages land
    return HttpResponse("")


log = gate
