"""The resident flags are listed once (``residents.flags``) and every place reads that list."""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone

from residents import services
from residents.api import ResidentFilter
from residents.excel import COLUMNS, headers
from residents.flags import FLAG_NAMES, FLAGS, NEEDS_AND_STATUS, RETURN_FLAGS, VULNERABLE_KINDS
from residents.forms import ResidentForm, VulnerableFilterForm
from residents.models import Resident
from residents.selectors import vulnerable_q
from residents.serializers import ResidentSerializer

BASE = Path(settings.BASE_DIR)
OUR_CODE = ("compounds", "residents", "checkpoints", "supplies", "bastion")


def in_order(names, wanted=FLAG_NAMES):
    return [n for n in names if n in wanted]


def test_the_list_is_party_member_five_vulnerable_kinds_and_returnee():
    assert FLAG_NAMES == (
        "party_member",
        "elderly_alone",
        "chronic_illness",
        "disability",
        "pregnant",
        "infant",
        "returnee",
    )
    assert list(VULNERABLE_KINDS) == [f.name for f in FLAGS if f.vulnerable]
    assert len(VULNERABLE_KINDS) == 5


def test_the_models_flag_columns_are_the_list_with_its_labels():
    booleans = [
        f for f in Resident._meta.concrete_fields if f.get_internal_type() == "BooleanField"
    ]
    assert tuple(f.name for f in booleans) == FLAG_NAMES
    assert [str(f.verbose_name) for f in booleans] == [str(flag.label) for flag in FLAGS]


def test_vulnerable_means_one_of_the_vulnerable_kinds():
    for flag in FLAGS:
        resident = Resident(**{flag.name: True})
        assert resident.vulnerable is flag.vulnerable
        assert resident.flags_set == [flag]
    assert set(dict(vulnerable_q().children)) == {k for k in VULNERABLE_KINDS}


def test_every_place_reads_the_one_list():
    form = ResidentForm()
    assert [b.name for b in form.flag_fields()] == list(NEEDS_AND_STATUS)
    assert [b.name for b in form.return_flag_fields()] == list(RETURN_FLAGS)
    assert [c for c, _label in VulnerableFilterForm().fields["kind"].choices][1:] == list(
        VULNERABLE_KINDS
    )
    assert tuple(in_order(services.RESIDENT_FIELDS)) == FLAG_NAMES
    assert tuple(in_order(c.key for c in COLUMNS)) == FLAG_NAMES
    assert [h for h in headers() if h in {str(f.column) for f in FLAGS}] == [
        str(f.column) for f in FLAGS
    ]
    assert tuple(in_order(ResidentFilter.Meta.fields)) == FLAG_NAMES
    assert tuple(in_order(ResidentSerializer.Meta.fields)) == FLAG_NAMES
    resident_admin = admin.site._registry[Resident]
    assert tuple(in_order(resident_admin.list_filter)) == FLAG_NAMES
    fieldsets = [n for _title, opts in resident_admin.fieldsets for n in opts["fields"]]
    assert tuple(in_order(fieldsets)) == FLAG_NAMES
    inline = next(i for i in admin.site._registry[Resident.household.field.related_model].inlines)
    assert tuple(in_order(inline.fields)) == FLAG_NAMES


def test_the_badges_show_every_flag_in_the_lists_order():
    resident = Resident(**dict.fromkeys(FLAG_NAMES, True))
    html = render_to_string("residents/_flags.html", {"r": resident, "today": timezone.localdate()})
    assert re.findall(r"flag-(\w+)", html) == list(FLAG_NAMES)
    assert all(str(flag.label) in html for flag in FLAGS)


def _python_files():
    for app in OUR_CODE:
        for path in (BASE / app).rglob("*.py"):
            if "migrations" not in path.parts and path != BASE / "residents" / "flags.py":
                yield path


def test_no_module_but_flags_writes_a_list_of_flag_names():
    """A literal list, tuple, set or dict holding two flag names or more is a second copy of
    the list: it is one more place to forget when a flag is added."""
    flags = set(FLAG_NAMES)
    copies = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
            if not isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict):
                continue
            names = {i.value for i in items if isinstance(i, ast.Constant)} & flags
            if len(names) >= 2:
                copies.append(f"{path.relative_to(BASE)}:{node.lineno}")
    assert copies == []


def test_no_template_writes_the_flags_out():
    flags = "|".join(FLAG_NAMES)
    copies = [
        str(path.relative_to(BASE))
        for path in (BASE / "templates").rglob("*.html")
        if len(set(re.findall(rf"\.({flags})\b", path.read_text()))) >= 2
    ]
    assert copies == []
