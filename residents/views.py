from django.http import HttpResponse


def households(request, compound_id):  # placeholder until the registry pages land
    return HttpResponse("")


vulnerable = returnees = households
