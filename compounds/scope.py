"""Which compound a row belongs to: each model declares its path once, the kernel reads it.

A model of a compound's data says how to reach its compound, as a class attribute::

    class Resident(models.Model):
        ...
        scope_path = "household__compound"

(``"pk"`` for ``Compound`` itself). ``compounds.access`` (``scoped``, ``get_scoped_or_404``),
the admin, the API's viewsets and its serializer fields all read the path from here, so a
new app's model joins the tenant scoping by declaring it, without editing the kernel.
A model without the attribute is not a compound's data (a community, a role, a login).
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

ATTRIBUTE = "scope_path"


def scope_path(model: type[Model]) -> str | None:
    """The model's path to its compound (``"pk"`` for a compound), or None if it has none."""
    return getattr(model, ATTRIBUTE, None)


def required_scope_path(model: type[Model]) -> str:
    path = scope_path(model)
    if path is None:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no {ATTRIBUTE}: add the path to its compound, "
            'for example scope_path = "household__compound".'
        )
    return path


def compound_id_of(obj: Model) -> int | None:
    """The id of the compound ``obj`` belongs to, following its declared path."""
    path = scope_path(type(obj))
    if path is None:
        return None
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    target: Any = obj
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)
