"""The one rule for text people type into Bastion: no invisible control characters.

A name pasted from a chat, a PDF or an old register can carry characters nobody sees: a
bell (U+0007) or a vertical tab (U+000B), which openpyxl refuses (one such name made every
Excel export of its compound answer 500), or a right-to-left override that makes a list
show "1702" as "2071". They are refused where text comes in, all with the code
``text_control_character`` and a message naming the field:

- every stored text column of our apps is a ``SingleLineField`` or a ``MultiLineField``
  (``tests/compounds/test_text.py`` checks that no plain ``CharField`` slips in), whose
  validator model forms, the admin and model serializers pick up by themselves;
- the services call ``check_text_fields`` on the row they are about to write, so that they
  refuse it even when called directly (and normalise multi-line text);
- the importer calls ``validate_text`` on every cell.

Multi-line text (notes) keeps tabs and newlines, with Windows and old Mac line ends made
``\\n``; single-line text (names, numbers, addresses) refuses those too. Emoji, CJK and
every other script are ordinary text. Exports strip whatever older rows still hold
(``compounds.xlsx.safe_cell``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from compounds.errors import BastionError, CompoundError

TEXT_CONTROL_CHARACTER = "text_control_character"

# Refused in any text: the C0 controls but tab, LF and CR; DEL and the C1 controls; the
# bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks
# (LRM, RLM, ALM), which our Chinese users never type on purpose and which make a text
# display otherwise than it reads; lone surrogates (only JSON escapes can make them, and
# neither PostgreSQL nor XML can hold them); and U+FFFE/U+FFFF, which XML (so an .xlsx)
# cannot hold. The zero-width joiner stays: emoji sequences are made of it.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSTORABLE = "\ud800-\udfff\ufffe\uffff"
# Also refused in single-line text: the tab and the line breaks.
_LINE_BREAK = "\t\n\r\u2028\u2029"

_REFUSED_MULTI_LINE = re.compile(f"[{_CONTROL}{_UNSTORABLE}]")
_REFUSED_SINGLE_LINE = re.compile(f"[{_CONTROL}{_UNSTORABLE}{_LINE_BREAK}]")


def normalise_newlines(value: str) -> str:
    """Windows (CR LF) and old Mac (CR) line ends as LF, as browsers and Excel send them."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def refused_character(value: str, *, multiline: bool) -> str | None:
    """The first character of ``value`` that the rule refuses, or None."""
    pattern = _REFUSED_MULTI_LINE if multiline else _REFUSED_SINGLE_LINE
    match = pattern.search(value)
    return match.group() if match else None


def replace_refused(value: str, *, multiline: bool = False) -> str:
    """``value`` with every refused character shown as U+FFFD: for logs of what a client
    sent, which must be kept as evidence but may not hold what the rule refuses."""
    pattern = _REFUSED_MULTI_LINE if multiline else _REFUSED_SINGLE_LINE
    return pattern.sub("\ufffd", value)


def validate_text(value: Any, *, multiline: bool, label: str | Promise) -> None:
    """Raise a ``ValidationError`` (code ``text_control_character``) naming ``label`` if
    ``value`` holds a character the rule refuses."""
    if not isinstance(value, str):
        return
    char = refused_character(value, multiline=multiline)
    if char is None:
        return
    params = {"field": capfirst(str(label)), "character": f"U+{ord(char):04X}"}
    if char in _LINE_BREAK:
        message = _(
            "%(field)s must be a single line: remove the line break or tab (%(character)s)."
        )
    else:
        message = _(
            "%(field)s contains an invisible control character (%(character)s), usually "
            "brought in by copying and pasting. Type the text again without it."
        )
    raise ValidationError(message % params, code=TEXT_CONTROL_CHARACTER)


class _FieldTextValidator:
    """The rule as a validator of one model field, read when it runs: the field's label is
    translated in the language of the request."""

    def __init__(self, field: CheckedTextField) -> None:
        self.field = field

    def __call__(self, value: Any) -> None:
        validate_text(value, multiline=self.field.multiline, label=self.field.verbose_name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _FieldTextValidator) and other.field is self.field

    def __hash__(self) -> int:
        return id(self.field)


class CheckedTextField(models.CharField):
    """A ``CharField`` that refuses control characters (see the module docstring)."""

    multiline = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators.append(_FieldTextValidator(self))

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if self.multiline and isinstance(value, str):
            value = normalise_newlines(value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        field = super().formfield(**kwargs)
        # On the form field too, so that a form refuses the text where it is typed and a
        # plain form built from this field (not a ModelForm) refuses it at all.
        field.validators.append(_FieldTextValidator(self))
        return field

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        # The rule lives in Python only: migrations see the plain CharField, so putting a
        # column under the rule (or changing the rule) never needs a schema migration.
        return name, "django.db.models.CharField", args, kwargs


class SingleLineField(CheckedTextField):
    """Names, numbers, addresses: one line, no tab."""


class MultiLineField(CheckedTextField):
    """Notes: tabs and newlines allowed, line ends normalised to LF."""

    multiline = True

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        return super().formfield(**kwargs)


def check_text_fields(obj: models.Model, *, error: type[BastionError] = CompoundError) -> None:
    """Normalise the multi-line text of ``obj`` and refuse a control character in any of
    its text fields with ``error(message, "text_control_character", field=name)``.

    The services call this before they write, so that the rule holds for any caller.
    """
    for field in obj._meta.concrete_fields:
        if not isinstance(field, CheckedTextField):
            continue
        value = getattr(obj, field.attname)
        if not isinstance(value, str):
            continue
        if field.multiline:
            value = normalise_newlines(value)
            setattr(obj, field.attname, value)
        try:
            validate_text(value, multiline=field.multiline, label=field.verbose_name)
        except ValidationError as refusal:
            raise error(refusal.messages[0], TEXT_CONTROL_CHARACTER, field=field.name) from None
