import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from compounds.xlsx import XLSX_CONTENT_TYPE, safe_cell, workbook_response, write_sheet


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","click")', "+1", "-2+3", "@SUM(A1:A2)", "\tx", "\rx"],
)
def test_formula_like_text_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张小流", "13807901234", "", "a=b", "1+1", "'quoted"])
def test_plain_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, 1.5, None, datetime.date(2020, 2, 2), True])
def test_numbers_dates_and_none_pass_through(value):
    assert safe_cell(value) == value


def test_lazy_translations_become_text():
    assert safe_cell(gettext_lazy("Building")) == "Building"


def _saved(wb: Workbook):
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer).active


def test_write_sheet_neutralises_every_cell_and_bolds_the_headers():
    wb = Workbook()
    write_sheet(
        wb.active,
        ["=bad header", gettext_lazy("Name"), "Day", "Amount"],
        [["@SUM(A1)", "张小流", datetime.date(2020, 2, 2), Decimal("12.50")]],
    )
    ws = _saved(wb)
    assert [c.value for c in ws[1]] == ["'=bad header", "Name", "Day", "Amount"]
    assert all(c.font.b for c in ws[1])
    assert ws["A2"].value == "'@SUM(A1)"
    assert ws["A2"].data_type == "s"
    assert ws["C2"].value.date() == datetime.date(2020, 2, 2)
    assert ws["D2"].value == 12.5
    assert ws.freeze_panes == "A2"


def test_write_sheet_sizes_columns_to_their_content():
    wb = Workbook()
    write_sheet(wb.active, ["a", "b"], [["x", "绿景水岸南门外的长长的地址" * 2]])
    ws = wb.active
    assert ws.column_dimensions["A"].width < ws.column_dimensions["B"].width <= 50


def test_workbook_response_is_an_xlsx_attachment_with_a_utf8_name():
    wb = Workbook()
    write_sheet(wb.active, ["h"], [["v"]])
    response = workbook_response(wb, "绿景水岸-住户-2026-11-23.xlsx")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("绿景水岸-住户-2026-11-23.xlsx") in disposition
    assert 'filename="' in disposition and "绿" not in disposition  # ASCII fallback
    assert load_workbook(io.BytesIO(response.content)).active["A2"].value == "v"


# Rows written before the text rule (compounds.text) may hold what openpyxl refuses
# (C0 controls) or what XML cannot carry (U+FFFE, U+FFFF, lone surrogates).
UNWRITABLE = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff\ud800"


@pytest.mark.parametrize("char", list(UNWRITABLE))
def test_characters_a_workbook_cannot_hold_are_dropped(char):
    assert safe_cell(f"张{char}三") == "张三"


@pytest.mark.parametrize("value", ["\x07=cmd|' /C calc'!A0", "\x00+1", "\x1f@SUM(A1)", "\x0b-2"])
def test_formula_hidden_behind_a_control_character_is_still_neutralised(value):
    assert safe_cell(value) == "'" + value[1:]


def test_tabs_newlines_emoji_and_other_controls_are_kept():
    value = "一\n二\t三 😷 \x7f\x85\u202e"
    assert safe_cell(value) == value


def test_a_sheet_of_unwritable_characters_saves_and_opens():
    wb = Workbook()
    write_sheet(wb.active, [f"h{UNWRITABLE}"], [[f"a{UNWRITABLE}b"], [UNWRITABLE]])
    ws = _saved(wb)
    assert [c.value for c in ws["A"]] == ["h", "ab", None]
