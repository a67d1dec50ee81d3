"""Loading the request's user in one hand-written query: API tokens and sessions.

DRF's TokenAuthentication and Django's ModelBackend do the same lookups through the
ORM; on the gate's check-in, building those queries cost more Python time than the rest
of the decision (measured with the benchmark). Same tokens, same sessions, same rules:
an unknown token or an inactive user is refused.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

_USER_FIELDS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
)


def _user_from_sql(join: str, where: str, params: list[Any]) -> Any:
    """One user row by hand-written SQL, turned into a User as the ORM would."""
    User = get_user_model()
    table = User._meta.db_table
    columns = ", ".join(f"u.{name}" for name in _USER_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {join.format(users=table)} WHERE {where}", params)  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for name, value in zip(_USER_FIELDS, row, strict=True):
        col = User._meta.get_field(name).cached_col
        # As the ORM's compiler does: the backend's converters, then the field's.
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        values.append(value)
    return User.from_db(connection.alias, list(_USER_FIELDS), values)


class FastTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user = _user_from_sql(
            "authtoken_token t JOIN {users} u ON u.id = t.user_id", "t.key = %s", [key]
        )
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, key


class FastModelBackend(ModelBackend):
    """Django's ModelBackend, loading the session's user in one hand-written query."""

    def get_user(self, user_id: Any) -> Any:
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _user_from_sql("{users} u", "u.id = %s", [user_id])
        return user if user is not None and self.user_can_authenticate(user) else None
