"""The scoping rule in its two forms: the ORM subquery and the SQL of the gate's hot path."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from compounds.access import visible_compound_ids, visible_sql, visible_sql_params
from compounds.models import Compound
from tests import factories as f


def _by_orm(user) -> set[int]:
    return set(
        Compound.objects.filter(pk__in=visible_compound_ids(user)).values_list("pk", flat=True)
    )


def _by_sql(user) -> set[int]:
    qn = connection.ops.quote_name
    table = qn(Compound._meta.db_table)
    condition = visible_sql(
        compound_column=f"c.{qn('id')}",
        community_column=f"c.{qn(Compound._meta.get_field('community').column)}",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.{qn('id')} FROM {table} c WHERE {condition}",  # noqa: S608
            visible_sql_params(user),
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def cast(officer, secretary, volunteer, volunteer_b, compound_a, compound_b):
    """The fixed cast, plus a superuser, a user with no role, and a second community
    (whose compound only the superuser may see), and one user of mixed roles."""
    elsewhere = f.community(name="城北社区")
    f.compound(community=elsewhere, name="城北花园")
    mixed = f.user("mixed")
    f.role(user=mixed, kind="deputy", compound=compound_b)
    f.role(user=mixed, kind="volunteer", compound=compound_a)
    return {
        "officer": officer,
        "secretary": secretary,
        "volunteer": volunteer,
        "volunteer_b": volunteer_b,
        "superuser": f.user("root", is_superuser=True, is_staff=True),
        "no_role": f.user("nobody"),
        "mixed": mixed,
    }


def test_visible_sql_agrees_with_visible_compound_ids_for_the_whole_cast(cast):
    seen = {}
    for name, user in cast.items():
        assert _by_sql(user) == _by_orm(user), name
        seen[name] = len(_by_orm(user))
    # The comparison means something only if the cast sees different things.
    assert seen == {
        "officer": 2,
        "secretary": 1,
        "volunteer": 1,
        "volunteer_b": 1,
        "superuser": 3,
        "no_role": 0,
        "mixed": 2,
    }


def test_visible_sql_agrees_for_inactive_users(cast):
    for name, user in cast.items():
        user.is_active = False
        user.save()
        assert _by_sql(user) == _by_orm(user) == set(), name


def test_visible_sql_shows_nothing_to_an_anonymous_user(cast):
    assert _by_sql(AnonymousUser()) == _by_orm(AnonymousUser()) == set()
