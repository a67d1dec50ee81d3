"""The project's URL conf plus one demo route that works through a capability link.

Used with ``@pytest.mark.urls("tests.capability_urls")`` until a real capability route
exists (the calendar feed, the household's own page): it lets the access matrix and the
capability tests exercise ``capability_view`` end to end.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bastion.urls import urlpatterns as project_urlpatterns
from compounds.capabilities import capability_view, register_purpose

DEMO = register_purpose("test_demo", "demo link (tests only)")


@capability_view(DEMO)
def demo(request: HttpRequest) -> HttpResponse:
    capability = request.capability  # type: ignore[attr-defined]
    return HttpResponse(f"household {capability.object_id}", content_type="text/plain")


urlpatterns = [
    path("cap/demo/<str:token>/", demo, name="capability-demo"),
    *project_urlpatterns,
]
