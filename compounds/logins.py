"""Logins and failed logins in the audit trail, from django.contrib.auth's signals.

Independent of any login throttle (django-axes or another): these signals are sent by
``django.contrib.auth`` itself for every login form and every ``authenticate()``.
A login belongs to no compound; officers see those of people who hold roles in their
community (``compounds.selectors.audit_entries_visible``).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from compounds import audit, login_guard


def _address(request: HttpRequest | None) -> dict[str, str]:
    # The client's own address, behind a proxy too (PROXY_COUNT).
    address = login_guard.client_ip(request) if request is not None else None
    return {"ip": address} if address else {}


def _user_named(name: str) -> Any:
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: name}).first() if name else None


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.audit_record(actor=user, action=audit.LOGIN, obj=user, changes=_address(request))


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    model = get_user_model()
    name = str(credentials.get(model.USERNAME_FIELD) or credentials.get("username") or "")
    user = _user_named(name)
    audit.audit_record(
        actor=None,
        action=audit.LOGIN_FAILED,
        obj=user,
        object_repr=None if user is not None else name,
        changes=_address(request),
    )


def on_locked_out(request: HttpRequest, name: str, minutes: int) -> None:
    """A lockout begins (compounds/login_guard.py): the account, the address, how long."""
    user = _user_named(name)
    audit.audit_record(
        actor=None,
        action=audit.LOGIN_LOCKED_OUT,
        obj=user,
        object_repr=None if user is not None else name,
        changes={**_address(request), "minutes": minutes},
    )
