"""Schemathesis against /api/schema/: no answer is a 500, every answer matches the schema.

Runs in the normal suite (so on SQLite and on PostgreSQL in CI), as the branch secretary
and as a volunteer of compound A, with token auth, against the WSGI app in-process and
the conftest cast. A fixed seed and ten examples per operation keep the run short and
the same every time; the hooks below send real IDs and card numbers part of the time,
so that writes and detail pages are reached, not only 404s.
"""

from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bastion.wsgi import application
from checkpoints.models import PassCard
from checkpoints.services import passage_record
from compounds.models import Building, Compound, Opening
from residents.models import FeverAlert, Household, Resident
from tests import factories as f

# The schema is a document with no data in it: loaded once, when the module is collected.
# The coverage phase (every boundary of every field) took minutes; fuzzing takes seconds.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/",
    application,
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {"seed": 2022, "phases": {"coverage": {"enabled": False}}}
    ),
)

# No 500, and every answer as documented: status, content type, headers and body. (Not
# schemathesis' "valid data is accepted": an integer ID of a row that does not exist is
# valid by the schema and rightly refused.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# Real values of the current test's cast, by the path segment that takes them.
KNOWN: dict[str, list[Any]] = {}
BODY_REFERENCES = {
    "building": "buildings",
    "household": "households",
    "gate": "openings",
    "card": "cards",
}


@pytest.fixture
def in_test_transaction():
    """Schemathesis calls the WSGI app itself, not through Django's test client, so the
    app's request signals would close the test's connection (on PostgreSQL: "connection
    already closed" for every request after the first). Do what the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def cast(
    db,
    in_test_transaction,
    household_a,
    resident_a,
    gate_a,
    household_b,
    gate_b,
    secretary,
    volunteer,
):
    """The conftest cast with cards and a fever alert, so that lists and pages have rows."""
    card = f.card(household=household_a, actor=secretary)
    f.card(household=household_b)
    passage_record(
        opening=gate_a,
        code=card.number,
        direction="out",
        temperature=Decimal("38.2"),
        actor=volunteer,
        client_id=uuid4(),
    )
    KNOWN.clear()
    KNOWN.update(
        {
            "compounds": list(Compound.objects.values_list("pk", flat=True)),
            "buildings": list(Building.objects.values_list("pk", flat=True)),
            "openings": list(Opening.objects.values_list("pk", flat=True)),
            "households": list(Household.objects.values_list("pk", flat=True)),
            "residents": list(Resident.objects.values_list("pk", flat=True)),
            "fever-alerts": list(FeverAlert.objects.values_list("pk", flat=True)),
            "cards": list(PassCard.objects.values_list("number", flat=True)),
        }
    )
    yield
    KNOWN.clear()


def _known_for(path: str) -> list[Any]:
    segment = path.removeprefix("/api/v1/").split("/")[0]
    return KNOWN.get(segment, [])


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = _known_for(context.operation.path) if context.operation else []
    names = [name for name in ("id", "code") if name in (path_parameters or {})]
    if not known or not names:
        return st.just(path_parameters)
    real = st.sampled_from(known).map(lambda value: {**path_parameters, names[0]: value})
    return st.one_of(st.just(path_parameters), real)


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict):
        return st.just(body)
    keys = [k for k in body if KNOWN.get(BODY_REFERENCES.get(k, ""))]
    if not keys:
        return st.just(body)
    real = st.fixed_dictionaries({k: st.sampled_from(KNOWN[BODY_REFERENCES[k]]) for k in keys})
    return st.one_of(st.just(body), real.map(lambda values: {**body, **values}))


def _token_headers(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    # The WSGI caller does not unpack gzip; the gate snapshot is compressed when asked.
    return {"Authorization": f"Token {token.key}", "Accept-Encoding": "identity"}


@pytest.fixture
def as_secretary_headers(cast, secretary):
    return _token_headers(secretary)


@pytest.fixture
def as_volunteer_headers(cast, volunteer):
    return _token_headers(volunteer)


@schema.parametrize()
@FUZZ
def test_api_answers_the_secretary_by_its_schema_never_500(case, as_secretary_headers):
    case.call_and_validate(headers=as_secretary_headers, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_answers_a_volunteer_by_its_schema_never_500(case, as_volunteer_headers):
    case.call_and_validate(headers=as_volunteer_headers, checks=CHECKS)
