"""Which features each kind of compound has: the one map, read by the tab bar and by the
compound lookup, so that no view checks the kind by itself.

A site (a hospital post, a central-quarantine hotel) has a branch and a roster but no
households: its registry, gate and pass-card pages do not apply. Routes name their
feature here (by URL namespace or name, registered from each app's ``ready()``); the
middleware below notes the feature of the route being served, and
``compounds.access.get_scoped_or_404`` answers 404 when it loads a compound of a kind
that lacks it. The tab bar and page links (``compounds.ui``) hide such routes the same way.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from compounds.models import Compound

Kind = Compound.Kind

# Features: "registry" (buildings, households, residents), "gate" (openings, passages,
# pass cards, gate rules). Every other feature (the branch, people, the roster, device
# tokens) is everywhere.
FEATURES_MISSING: dict[str, frozenset[str]] = {
    Kind.COMPOUND: frozenset(),
    Kind.SCATTERED: frozenset(),
    Kind.SITE: frozenset({"registry", "gate"}),
}

# URL namespace or "namespace:name" / "name" → feature. The most specific key wins.
_route_features: dict[str, str] = {}


def register_routes(key: str, feature: str) -> None:
    """The routes under ``key`` (a URL namespace, or one route's full name) need ``feature``."""
    _route_features[key] = feature


def has_feature(kind: str, feature: str | None) -> bool:
    return feature is None or feature not in FEATURES_MISSING.get(kind, frozenset())


def feature_of_route(namespace: str | None, url_name: str | None) -> str | None:
    full = f"{namespace}:{url_name}" if namespace else (url_name or "")
    if full in _route_features:
        return _route_features[full]
    return _route_features.get(namespace or "")


def route_applies(kind: str, url_name: str) -> bool:
    """Whether the route named ``url_name`` ("namespace:name") applies to ``kind``."""
    namespace, _sep, name = url_name.rpartition(":")
    return has_feature(kind, feature_of_route(namespace or None, name))


_current_feature: ContextVar[str | None] = ContextVar("bastion_route_feature", default=None)


def current_feature() -> str | None:
    return _current_feature.get()


def refuse_unless_applies(compound: Compound) -> None:
    """404 when the route being served needs a feature this compound's kind lacks."""
    if not has_feature(compound.kind, current_feature()):
        raise Http404


class RouteFeatureMiddleware:
    """Notes the feature of the route being served, for ``refuse_unless_applies``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_feature.set(None)
        try:
            return self.get_response(request)
        finally:
            _current_feature.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None:
            _current_feature.set(feature_of_route(match.namespace, match.url_name))
