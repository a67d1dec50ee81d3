"""Names and notes that try to run: escaped on every page and print sheet, never a formula
in any export.

Every free-text column of every model of ours gets a payload that is both markup and a
formula, then every route of the URL conf (the access matrix's list, so new pages join by
themselves) is read by the officer and the secretary.
"""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from openpyxl import load_workbook

from compounds.xlsx import XLSX_CONTENT_TYPE
from tests.test_access_matrix import CHECKED, url_for, world  # noqa: F401  (a fixture)

PAYLOAD = '="><x-xss>'
OUR_APPS = {"compounds", "residents", "checkpoints", "supplies"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def poison_every_text_column() -> int:
    """Prefix every free-text value of our models (and people's names) with PAYLOAD."""
    changed = 0
    targets = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    targets.append(get_user_model())
    for model in targets:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            if field.primary_key or field.choices or field.unique or not field.editable:
                continue
            if model is get_user_model() and field.name not in ("first_name", "last_name"):
                continue
            for pk, value in model._default_manager.values_list("pk", field.name):
                new = PAYLOAD + (value or "")
                if field.max_length:
                    new = new[: field.max_length]
                model._default_manager.filter(pk=pk).update(**{field.name: new})
                changed += 1
    return changed


def cells_that_run(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS))
    ]


@pytest.mark.parametrize("who", ["officer", "secretary"])
def test_payloads_are_escaped_on_every_page_and_inert_in_every_export(
    who,
    world,  # noqa: F811  (the access matrix's fixture, imported above)
    client,
    officer,
    secretary,
):
    assert poison_every_text_column() > 10
    client.force_login({"officer": officer, "secretary": secretary}[who])
    pages, sheets, escaped, wrong = 0, 0, 0, []
    for name, pattern in CHECKED:
        response = client.get(url_for(name, pattern, world))
        if response.status_code != 200 or response.streaming:
            continue
        kind = response.get("Content-Type", "")
        if kind.startswith("text/html"):
            pages += 1
            body = response.content.decode()
            if "<x-xss>" in body:
                wrong.append(f"{name}: markup from the data in the page")
            escaped += "&lt;x-xss&gt;" in body
        elif kind.startswith(XLSX_CONTENT_TYPE):
            sheets += 1
            wrong += [f"{name}: {cell}" for cell in cells_that_run(response.content)]
    assert wrong == []
    assert pages >= 15 and sheets >= 2 and escaped >= 5  # the walk reached the data
