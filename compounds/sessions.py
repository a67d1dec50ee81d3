"""Django's database sessions, read with one hand-written query (see authentication.py)."""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.db import connection
from django.utils import timezone


class SessionStore(DBStore):
    def _get_session_from_db(self) -> Any:
        field = self.model._meta.get_field("expire_date").cached_col
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT session_data, expire_date FROM django_session "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        expire = row[1]
        for convert in connection.ops.get_db_converters(field) + field.get_db_converters(
            connection
        ):
            expire = convert(expire, field, connection)
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=expire)
