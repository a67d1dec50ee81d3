"""Households and residents to and from Excel (.xlsx).

One row per resident; a household with nobody registered yet is one row with the resident
columns empty. Columns are found by their header text (Chinese or English, in any order;
unknown columns are ignored), so the branch's own registers can be imported as long as
the headers match.

The import validates every row before writing anything: if any row is wrong, the answer
is the list of (Excel row, column, message) and the database is untouched. Otherwise one
transaction creates the missing buildings and units, creates or updates the households
(matched by building + unit + room) and their residents (matched by household + name),
and leaves an audit row for each household and resident created or changed. Importing the
same file again changes nothing; residents that are not in the file are left alone.

Writes go in bulk, so that a large compound (1,300 households, 4,500 residents) imports
in seconds. The rules on each value are the services' (``residents.rules`` and the model
fields' validators): what the page, the API and the admin refuse, the import refuses in
the same words and with the same code.

- ``columns``: the columns, their headers in every language and what each takes;
- ``parsing``: one cell, its words and its rules;
- ``reading``: the file, its sheet, header and rows, merged per household and resident;
- ``applying``: what is registered, the checks that need it, and the bulk write;
- ``export``: the register as a workbook, and the import template.
"""

from residents.excel.applying import households_import
from residents.excel.columns import COLUMNS, Column, column_help, header_lookup, sample_id_number
from residents.excel.export import export_rows, headers, households_workbook, template_workbook
from residents.excel.reading import MAX_ROWS, ImportIssue, ImportResult

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "Column",
    "ImportIssue",
    "ImportResult",
    "column_help",
    "export_rows",
    "header_lookup",
    "headers",
    "households_import",
    "households_workbook",
    "sample_id_number",
    "template_workbook",
]
