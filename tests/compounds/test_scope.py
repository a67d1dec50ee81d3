"""Each model declares its path to its compound once; the kernel follows it everywhere."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from checkpoints.models import WorkPass
from compounds import access
from compounds.models import Community, Compound, Role
from compounds.scope import compound_id_of, scope_path
from residents.models import FeverAction, Resident
from tests import factories as f

# Not one compound's data: a community spans compounds, an officer's role has none.
UNSCOPED = {"compounds.community", "compounds.role"}


def our_models():
    for config in apps.get_app_configs():
        if Path(config.path).parent == Path(settings.BASE_DIR):
            yield from config.get_models()


@pytest.mark.parametrize("model", list(our_models()), ids=lambda m: m._meta.label_lower)
def test_every_model_of_ours_declares_a_path_that_reaches_a_compound(model):
    path = scope_path(model)
    if model._meta.label_lower in UNSCOPED:
        assert path is None
        return
    assert path, f"{model._meta.label} declares no scope_path"
    if path == "pk":
        assert model is Compound
        return
    target = model
    for hop in path.split("__"):
        target = target._meta.get_field(hop).related_model
    assert target is Compound


@pytest.mark.parametrize("model", [Community, Role])
def test_scoping_a_model_without_a_path_fails_loudly(model, officer):
    with pytest.raises(ImproperlyConfigured, match="scope_path"):
        access.scoped(officer, model.objects.all())


def test_compound_id_of_follows_the_declared_path(resident_a, secretary, compound_a):
    from datetime import date

    from checkpoints.services import work_pass_create

    work_pass = work_pass_create(
        resident=resident_a,
        actor=secretary,
        work_unit="区人民医院",
        certificate="医字2020-017",
        valid_from=date(2020, 2, 1),
        valid_to=date(2020, 3, 1),
    )
    assert compound_id_of(WorkPass.objects.get(pk=work_pass.pk)) == compound_a.pk
    assert compound_id_of(compound_a) == compound_a.pk
    assert compound_id_of(FeverAction()) is None  # no alert yet: nowhere to go


def test_a_resident_is_found_through_its_households_compound(
    resident_a, volunteer, volunteer_b, compound_a
):
    found = access.get_scoped_or_404(volunteer, Resident.objects.all(), pk=resident_a.pk)
    assert found == resident_a
    with pytest.raises(Http404):
        access.get_scoped_or_404(volunteer_b, Resident.objects.all(), pk=resident_a.pk)


def test_a_compound_is_scoped_by_its_own_key(compound_a, compound_b, volunteer):
    assert list(access.scoped(volunteer, Compound.objects.all())) == [compound_a]
    f.role(user=volunteer, kind="volunteer", compound=compound_b)
    assert set(access.scoped(volunteer, Compound.objects.all())) == {compound_a, compound_b}
