"""The API's per-device tokens (``Authorization: Bearer <token>``), beside DRF's one token
per login: each device gets its own named token, listed and revoked on its own
(``compounds.capabilities``, purpose ``device_api_token``)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from compounds import capabilities
from compounds.errors import RateLimited


class DeviceTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            token = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        try:
            capability = capabilities.capability_resolve(
                token=token,
                purpose=capabilities.DEVICE_API_TOKEN,
                address=capabilities.client_address(request._request),
            )
        except capabilities.CapabilityNotFound:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        except RateLimited as refused:
            raise exceptions.Throttled(wait=refused.params.get("retry_after")) from None
        owner = capability.owner
        if owner is None or not owner.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return owner, capability

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for these tokens (drf-spectacular finds it by subclassing)."""

    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A device's own API token: Authorization: Bearer <token>.",
        }
