"""The parts of ``make bench`` beyond the gate's check-in, one module each.

A part is a module here with ``NAME`` (what ``--only``/``--skip`` take) and
``run(log, opts) -> dict[str, float | int | str]``: it builds what it needs on the configured
database (migrated already), measures, and returns its ``name: value`` figures, which the
command prints in order. ``log`` writes progress to stderr. ``opts`` holds the command's
options (``quick`` shrinks the data for the test that runs every part).
"""

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import Any

Figures = dict[str, float | int | str]
Runner = Callable[[Callable[[str], None], dict[str, Any]], Figures]


def parts() -> list[ModuleType]:
    """Every part, in module-name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found.append(module)
    return found
