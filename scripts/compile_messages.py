"""Compile the .po catalogues to .mo with polib (no system gettext needed), or check them.

--check fails when a message is untranslated or fuzzy, or when a committed .mo file does
not hold exactly what its .po says (a stale catalogue).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def entries(catalogue: polib._BaseFile) -> dict[tuple[str | None, str, str], object]:
    out: dict[tuple[str | None, str, str], object] = {}
    for e in catalogue:
        if e.obsolete or not e.msgid:
            continue
        key = (e.msgctxt, e.msgid, e.msgid_plural or "")
        out[key] = e.msgstr_plural and dict(sorted(e.msgstr_plural.items())) or e.msgstr
    return out


def main() -> int:
    check = "--check" in sys.argv
    problems: list[str] = []
    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        for e in po:
            if e.obsolete:
                continue
            if "fuzzy" in e.flags:
                problems.append(f"{po_path.relative_to(ROOT)}: fuzzy: {e.msgid!r}")
            elif not e.translated():
                problems.append(f"{po_path.relative_to(ROOT)}: untranslated: {e.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if check:
            if not mo_path.exists():
                problems.append(f"{mo_path.relative_to(ROOT)}: missing; run make messages")
                continue
            translated = {k: v for k, v in entries(po).items() if v}
            if entries(polib.mofile(str(mo_path))) != translated:
                problems.append(f"{mo_path.relative_to(ROOT)}: stale; run make messages")
        else:
            po.save_as_mofile(str(mo_path))
            print(f"compiled {mo_path.relative_to(ROOT)}")
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} translation problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
