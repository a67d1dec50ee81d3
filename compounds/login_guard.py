"""Logins that resist guessing: three gates before a password is hashed.

1. Per address, before anything else (``LoginRateLimitMiddleware``): one password hash
   costs ~350 ms of CPU, so about six guesses a second would fill both cores that the
   gate needs. Past ``LOGIN_ATTEMPTS`` in ``LOGIN_ATTEMPT_WINDOW`` seconds an address
   gets 429 for the rest of the window, at the cost of one counter in the shared store.
2. Per account *and* address (django-axes, ``AXES_LOCKOUT_PARAMETERS``): after
   ``AXES_FAILURE_LIMIT`` failures the pair is locked out; each further lockout of the
   same pair within a day doubles the cool-off (``cool_off``).
3. Only then Django's backend hashes the password.

Logins, failures and the start of each lockout go to the audit trail (compounds/logins.py).
All counters live in Django's default cache, the store every worker shares.
"""

import ipaddress
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_client_cache_keys, get_client_username
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from compounds import ratelimit

STRIKES_SECONDS = 24 * 3600
MAX_COOL_OFF = timedelta(hours=24)

# Addresses refused in this process, until the end of their window: a guesser that goes on
# hammering is answered from memory, without touching the shared store each time.
_refused_until: dict[str, float] = {}


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the PROXY_COUNT-th from the right of
    X-Forwarded-For behind a proxy (only what our own proxy appended can be trusted)."""
    if settings.PROXY_COUNT:
        forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a]
        if len(forwarded) >= settings.PROXY_COUNT:
            address = _valid(forwarded[-settings.PROXY_COUNT])
            if address:
                return address
    return _valid(request.META.get("REMOTE_ADDR", ""))


def login_paths() -> set[str]:
    return {reverse("login"), reverse("admin:login")}


def address_may_try(address: str) -> bool:
    """Count one login attempt for ``address``; False once it is over the window's limit."""
    now = time.time()
    if _refused_until.get(address, 0) > now:
        return False
    window = settings.LOGIN_ATTEMPT_WINDOW
    if ratelimit.hit("login", address, limit=settings.LOGIN_ATTEMPTS, window=window):
        return True
    if len(_refused_until) > 10_000:
        _refused_until.clear()
    _refused_until[address] = now + ratelimit.remaining_seconds(window)
    return False


class LoginRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths: set[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            if self.paths is None:
                self.paths = login_paths()
            address = client_ip(request) or "unknown"
            if request.path in self.paths and not address_may_try(address):
                return too_many_attempts(request)
        return self.get_response(request)


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    wait = ratelimit.remaining_seconds(settings.LOGIN_ATTEMPT_WINDOW)
    response = render(request, "registration/too_many_attempts.html", {"seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


class LoginGuardBackend(AxesStandaloneBackend):
    """axes' lockout check, for logins that come from the network.

    An authentication without a request (a management command, a test client's login())
    has no address to count against and nothing to guess with: it goes straight through.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


# --- the growing cool-off ----------------------------------------------------------------


def _strikes_key(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    # axes' own key for the (username, address) pair, so both count the same pair.
    return "strikes:" + get_client_cache_keys(request, credentials)[0]


def cool_off(request: HttpRequest | None) -> timedelta:
    """LOGIN_LOCKOUT_MINUTES, doubled for every earlier lockout of the same pair in a day."""
    base = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if request is None or not hasattr(request, "axes_ip_address"):
        return base
    strikes = cache.get(_strikes_key(request), 0)
    return min(base * 2 ** max(0, strikes - 1), MAX_COOL_OFF)


class LoginGuardHandler(AxesCacheHandler):
    """axes' cache handler, plus the lockout count behind ``cool_off``.

    Logins and failures reach the audit trail through django.contrib.auth's own signals
    (compounds/logins.py); the start of each lockout is written there from here.
    """

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        locks_now = request is not None and (
            self.get_failures(request, credentials) + 1 == settings.AXES_FAILURE_LIMIT
        )
        if locks_now:
            # Count the strike before axes sets the cool-off, so that this lockout already
            # lasts its doubled time.
            key = _strikes_key(request, credentials)
            if not cache.add(key, 1, timeout=STRIKES_SECONDS):
                cache.incr(key)
                # incr() is get + set on the database cache, which resets the key to the
                # default 5-minute timeout: keep the day's count for its day.
                cache.touch(key, timeout=STRIKES_SECONDS)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if locks_now:
            from compounds import logins

            minutes = math.ceil(cool_off(request).total_seconds() / 60)
            logins.on_locked_out(request, get_client_username(request, credentials) or "", minutes)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE), in the site's layout, with a Retry-After."""
    seconds = int(cool_off(request).total_seconds())
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
