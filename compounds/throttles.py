"""DRF throttles on the API, counting in settings.CACHES["throttle"].

That cache is Redis when REDIS_URL is set (shared by all workers) and each worker's own
memory otherwise: the database cache would add five statements to every check-in.
The gate's endpoints (``throttle_scope = "gate"``) have a rate of their own and are not
counted against the general per-user rate as well.
"""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    cache = caches["throttle"]


class UserThrottle(UserRateThrottle):
    cache = caches["throttle"]

    def allow_request(self, request, view) -> bool:  # type: ignore[no-untyped-def]
        if getattr(view, "throttle_scope", None):
            return True
        return super().allow_request(request, view)


class ScopedThrottle(ScopedRateThrottle):
    cache = caches["throttle"]
