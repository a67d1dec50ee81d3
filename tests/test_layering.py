"""The apps' layers: no arrow may point up.

    compounds (the kernel)  → nothing
    residents               → compounds
    checkpoints, supplies   → compounds, residents
    bastion (the top layer) → anything

An arrow is any of: an import (at the top of a module or inside a function), a model or
module named in a string ("residents.Household", apps.get_model("checkpoints", ...)), a
migration dependency, a URL name used in an app's templates (``{% url 'ns:name' %}``, or a
bare name whose view lives in another app) or in its code (``reverse``/``redirect``), and a
template of another app included or extended. A new app joins ``ALLOWED`` first.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent

ALLOWED: dict[str, set[str]] = {
    "compounds": set(),
    "residents": {"compounds"},
    "checkpoints": {"compounds", "residents"},
    "supplies": {"compounds", "residents"},
}
TOP = "bastion"
APPS = [*ALLOWED, TOP]

_DOTTED = re.compile(r"^([a-z_]+)\.[A-Za-z_]\w*$")
_URL_TAG = re.compile(r"{%\s*url\s+['\"]([\w:-]+)['\"]")
_TEMPLATE_TAG = re.compile(r"{%\s*(?:include|extends)\s+['\"]([\w-]+)/")
_URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}


def _allowed(source: str, target: str) -> bool:
    return source == TOP or target == source or target in ALLOWED[source]


def _app_of(module: str | None) -> str | None:
    head = (module or "").split(".")[0]
    return head if head in APPS else None


def _url_owners() -> dict[str, str]:
    """{"ns:name" or "name": the app whose module holds the view} from the URL conf."""
    owners: dict[str, str] = {}

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                app = _app_of(getattr(p.callback, "__module__", None))
                if app:
                    owners[prefix + p.name] = app

    walk(get_resolver().url_patterns, "")
    return owners


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def python_arrows(
    text: str, owners: dict[str, str], *, migration: bool = False
) -> Iterator[tuple[str, str]]:
    """(target app, what) for every reference made by one module."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if app := _app_of(alias.name):
                    yield app, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if app := _app_of(node.module):
                yield app, f"from {node.module} import …"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # Model labels and dotted module paths. Not the top layer's: "bastion.gate"
            # in an app is a logger's name, and the top layer holds no models.
            match = _DOTTED.match(node.value)
            if match and match.group(1) in ALLOWED:
                yield match.group(1), f"string {node.value!r}"
        elif migration and isinstance(node, ast.Tuple) and len(node.elts) == 2:
            # A migration dependency: ("residents", "0001_initial").
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value in APPS:
                second = node.elts[1]
                if isinstance(second, ast.Constant) and isinstance(second.value, str):
                    yield first.value, f"dependency {first.value}.{second.value}"
        if isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            name = _call_name(node)
            if name == "get_model" and first.value in APPS:
                yield first.value, f"get_model({first.value!r}, …)"
            elif name in _URL_CALLS and first.value in owners:
                yield owners[first.value], f"{name}({first.value!r})"


def template_arrows(text: str, owners: dict[str, str]) -> Iterator[tuple[str, str]]:
    for name in _URL_TAG.findall(text):
        if ":" in name:
            namespace = name.split(":")[0]
            if namespace in APPS:
                yield namespace, f"{{% url '{name}' %}}"
                continue
        if name in owners:
            yield owners[name], f"{{% url '{name}' %}}"
    for folder in _TEMPLATE_TAG.findall(text):
        if folder in APPS:
            yield folder, f"template {folder}/…"


def violations() -> list[str]:
    owners = _url_owners()
    found = []
    for app in ALLOWED:
        for path in sorted((ROOT / app).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            migration = path.parent.name == "migrations"
            for target, what in python_arrows(text, owners, migration=migration):
                if not _allowed(app, target):
                    found.append(f"{path.relative_to(ROOT)}: {app} → {target} ({what})")
        for path in sorted((ROOT / "templates" / app).rglob("*.html")):
            for target, what in template_arrows(path.read_text(encoding="utf-8"), owners):
                if not _allowed(app, target):
                    found.append(f"{path.relative_to(ROOT)}: {app} → {target} ({what})")
    return found


def test_no_app_points_up_the_layers():
    found = violations()
    assert not found, "Arrows against the layers:\n" + "\n".join(found)


def test_every_app_of_ours_has_a_layer():
    from django.apps import apps

    ours = {c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT}
    assert ours == set(APPS)


@pytest.mark.parametrize(
    "code",
    [
        "def f():\n    from checkpoints.models import Passage\n",
        "import checkpoints.selectors\n",
        "x = models.ForeignKey('checkpoints.Passage', on_delete=models.CASCADE)\n",
        "M = apps.get_model('checkpoints', 'Passage')\n",
        "dependencies = [('checkpoints', '0001_initial')]\n",
        "url = reverse('checkpoints:gate', args=[1])\n",
    ],
)
def test_the_checker_sees_every_kind_of_arrow(code):
    targets = {t for t, _ in python_arrows(code, _url_owners(), migration=True)}
    assert targets == {"checkpoints"}


@pytest.mark.parametrize(
    "html",
    [
        "{% url 'checkpoints:gate' compound.pk %}",
        '{% include "checkpoints/_alerts.html" %}',
    ],
)
def test_the_checker_sees_template_arrows(html):
    assert {t for t, _ in template_arrows(html, _url_owners())} == {"checkpoints"}
