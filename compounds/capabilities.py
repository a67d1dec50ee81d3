"""Capability links: links and tokens that work without a login, one helper for all.

A calendar feed, a household's own page, a device's API token: each is a random token
(``secrets.token_urlsafe``, 256 bits) handed to somebody once, stored only as its SHA-256,
for one registered *purpose*, optionally about one object (its compound is recorded for
scoping and the audit), with an owner, an expiry, rotation and revocation. Issue, rotate
and revoke are audited.

``capability_resolve`` answers every bad token the same way (``CapabilityNotFound``, a
404): unknown, revoked, expired or made for another purpose, so a probe learns nothing.
Failed lookups are counted per address (``compounds.ratelimit``); past the limit the
address gets ``RateLimited`` (429). Only failures count: a device that calls the API
with a valid token every second must not pay a cache round trip, nor be throttled
behind a shared address. A 256-bit token cannot be guessed; the limit stops floods.

Views that work through a capability are written ``@capability_view(PURPOSE)`` with the
token in the URL (``<str:token>``); the access matrix tests every such route.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compounds import audit, ratelimit
from compounds.errors import CompoundError, RateLimited
from compounds.models import Capability, Role
from compounds.scope import compound_id_of

FAILURE_WINDOW = 60 * 60
# Marking a capability used costs an UPDATE: once in this long is precise enough.
USED_PRECISION = timedelta(minutes=5)


class UnknownPurpose(LookupError):
    """A purpose no app registered: a programming error."""


class CapabilityNotFound(Http404):
    """The one answer to every token that does not open this door."""

    def __init__(self) -> None:
        super().__init__(gettext("This link does not work (any more)."))


@dataclass(frozen=True)
class Purpose:
    name: str
    label: str | Promise
    lifetime: timedelta | None = None  # a new capability expires after this, if set

    def __str__(self) -> str:
        return self.name


_purposes: dict[str, Purpose] = {}


def register_purpose(
    name: str, label: str | Promise, *, lifetime: timedelta | None = None
) -> Purpose:
    purpose = Purpose(name, label, lifetime)
    known = _purposes.get(name)
    if known is not None and known != purpose:
        raise ValueError(f"The capability purpose {name!r} is registered twice, differently.")
    _purposes[name] = purpose
    return purpose


def registered_purposes() -> dict[str, Purpose]:
    return dict(_purposes)


def _purpose(purpose: Purpose | str) -> Purpose:
    key = purpose.name if isinstance(purpose, Purpose) else purpose
    try:
        return _purposes[key]
    except KeyError:
        raise UnknownPurpose(f"No app registered the capability purpose {key!r}.") from None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- writes --------------------------------------------------------------------------------


def _audit(capability: Capability, action: audit.Action, actor: Any) -> None:
    audit.audit_record(
        compound=capability.compound_id,
        actor=actor,
        action=action,
        obj=capability,
        changes={"purpose": capability.purpose, "name": capability.name},
    )


def _new(purpose: Purpose, **fields: Any) -> tuple[Capability, str]:
    token = secrets.token_urlsafe(32)
    if purpose.lifetime is not None and fields.get("expires_at") is None:
        fields["expires_at"] = timezone.now() + purpose.lifetime
    capability = Capability.objects.create(
        purpose=purpose.name, token_hash=token_hash(token), hint=token[:6], **fields
    )
    return capability, token


@transaction.atomic
def capability_issue(
    *,
    purpose: Purpose | str,
    actor: Any,
    owner: Any = None,
    obj: models.Model | None = None,
    name: str = "",
    expires_at: Any = None,
) -> tuple[Capability, str]:
    """A new capability and its token: the only time the token exists in clear."""
    registered = _purpose(purpose)
    fields: dict[str, Any] = {"owner": owner, "name": name.strip(), "expires_at": expires_at}
    if obj is not None:
        fields["target_type"] = ContentType.objects.get_for_model(obj)
        fields["object_id"] = obj.pk
        fields["compound_id"] = compound_id_of(obj)
    capability, token = _new(registered, **fields)
    _audit(capability, audit.CAPABILITY_ISSUE, actor)
    return capability, token


def _revoke(capability: Capability) -> Capability:
    """Lock the row and revoke it; a capability already revoked is not found."""
    locked = Capability.objects.select_for_update().filter(pk=capability.pk).first()
    if locked is None or locked.revoked_at is not None:
        raise CapabilityNotFound
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def capability_revoke(*, capability: Capability, actor: Any) -> Capability:
    revoked = _revoke(capability)
    _audit(revoked, audit.CAPABILITY_REVOKE, actor)
    capability.revoked_at = revoked.revoked_at
    return revoked


@transaction.atomic
def capability_rotate(*, capability: Capability, actor: Any) -> tuple[Capability, str]:
    """Revoke the capability and issue its replacement, at once: the old token stops
    working in the same transaction that makes the new one."""
    old = _revoke(capability)
    new, token = _new(
        _purpose(old.purpose),
        owner_id=old.owner_id,
        compound_id=old.compound_id,
        target_type_id=old.target_type_id,
        object_id=old.object_id,
        name=old.name,
        expires_at=old.expires_at,
        replaces=old,
    )
    _audit(new, audit.CAPABILITY_ROTATE, actor)
    return new, token


# --- reads ---------------------------------------------------------------------------------


def _refuse_flood(address: str | None, purpose: Purpose) -> None:
    key = address or f"purpose:{purpose.name}"
    limit = settings.CAPABILITY_FAILURES_PER_HOUR
    if not ratelimit.hit("capability", key, limit=limit, window=FAILURE_WINDOW):
        raise RateLimited(
            _("Too many attempts with links that do not work. Try again later."),
            "capability_rate_limited",
            retry_after=ratelimit.remaining_seconds(FAILURE_WINDOW),
        )


def capability_resolve(
    *, token: str, purpose: Purpose | str, address: str | None = None
) -> Capability:
    """The live capability for ``token`` and ``purpose``, or ``CapabilityNotFound``."""
    registered = _purpose(purpose)
    now = timezone.now()
    capability = (
        Capability.objects.filter(
            token_hash=token_hash(token or ""), purpose=registered.name, revoked_at__isnull=True
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("owner")
        .first()
        if token
        else None
    )
    if capability is None:
        _refuse_flood(address, registered)
        raise CapabilityNotFound
    if capability.last_used_at is None or now - capability.last_used_at > USED_PRECISION:
        Capability.objects.filter(pk=capability.pk).update(last_used_at=now)
        capability.last_used_at = now
    return capability


def purpose_of_token(token: str) -> Purpose | None:
    """What a token was made for, whatever its state (a revoked door card's QR is still a
    door card): for a scanner that must name what it was shown. Only who holds the token
    learns its purpose."""
    if not token:
        return None
    name = (
        Capability.objects.filter(token_hash=token_hash(token))
        .values_list("purpose", flat=True)
        .first()
    )
    return _purposes.get(name) if name else None


def live(queryset: QuerySet[Capability]) -> QuerySet[Capability]:
    return queryset.filter(revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


# --- views ---------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str | None:
    # The same address the login limits count (PROXY_COUNT-aware): behind nginx,
    # REMOTE_ADDR is the proxy, and one flooder would get everyone a 429.
    from compounds.login_guard import client_ip

    return client_ip(request)


def capability_view(purpose: Purpose) -> Callable[[Callable[..., HttpResponse]], Any]:
    """A view that works without a login, through a token in its URL (``token``).

    The view gets ``request.capability``; a bad token gets the 404 every bad token gets.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, token: str, **kwargs: Any) -> HttpResponse:
            try:
                capability = capability_resolve(
                    token=token, purpose=purpose, address=client_address(request)
                )
            except RateLimited as refused:
                response = HttpResponse(str(refused.message), status=429)
                response["Retry-After"] = str(refused.params["retry_after"])
                return response
            # Handed to the view on the request, as Django's middleware hands `user`.
            request.capability = capability  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        # Which purpose guards this view: the access-matrix test reads it.
        wrapped.capability_purpose = purpose  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- per-device API tokens -----------------------------------------------------------------

NAME_MAX_LENGTH = Capability._meta.get_field("name").max_length or 100
DEVICE_API_TOKEN = register_purpose("device_api_token", _("device API token"))


def device_token_issue(*, owner: Any, name: str, actor: Any) -> tuple[Capability, str]:
    """A named API token for one of ``owner``'s devices (a gate phone, a laptop)."""
    if not name.strip():
        raise CompoundError(
            _("Name the device, so that you can tell its token apart later."),
            "capability_name_required",
        )
    if len(name.strip()) > NAME_MAX_LENGTH:
        raise CompoundError(
            _("A device's name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH},
            "capability_name_too_long",
        )
    return capability_issue(purpose=DEVICE_API_TOKEN, actor=actor, owner=owner, name=name)


def device_tokens_of(*, owner: Any) -> QuerySet[Capability]:
    """The owner's working device tokens, newest first: the list a settings page shows."""
    return live(Capability.objects.filter(owner=owner, purpose=DEVICE_API_TOKEN.name))


def device_token_revoke(*, owner: Any, token_id: int, actor: Any) -> Capability:
    """Revoke one of ``owner``'s working tokens; anybody else's id is simply not found."""
    capability = device_tokens_of(owner=owner).filter(pk=token_id).first()
    if capability is None:
        raise CapabilityNotFound
    return capability_revoke(capability=capability, actor=actor)


def device_tokens_in_compound(*, compound: Any) -> QuerySet[Capability]:
    """The working device tokens of everybody holding a role in ``compound``: what its
    secretary and deputy oversee. Officers hold community roles and are not listed here."""
    holders = Role.objects.filter(compound=compound).values("user_id")
    return live(
        Capability.objects.filter(purpose=DEVICE_API_TOKEN.name, owner__in=holders)
    ).select_related("owner")


@transaction.atomic
def device_token_revoke_in_compound(*, compound: Any, token_id: int, actor: Any) -> Capability:
    """A manager revokes the token of somebody in their compound; the audit records it
    under the compound (a device token belongs to no compound), with the owner's name."""
    capability = device_tokens_in_compound(compound=compound).filter(pk=token_id).first()
    if capability is None:
        raise CapabilityNotFound
    revoked = _revoke(capability)
    owner = capability.owner
    audit.audit_record(
        compound=compound.pk,
        actor=actor,
        action=audit.CAPABILITY_REVOKE,
        obj=revoked,
        changes={
            "purpose": revoked.purpose,
            "name": revoked.name,
            "owner": owner.get_username() if owner is not None else "",
        },
    )
    return revoked
