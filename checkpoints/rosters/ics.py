"""The "my shifts" calendar feed (RFC 5545), written by hand: a handful of fields."""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone

from checkpoints.rosters.models import Assignment


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 5545 3.1)."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(assignments: Iterable[Assignment], *, name: str, host: str) -> str:
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bastion//duty roster//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for a in assignments:
        shift = a.shift
        compound = shift.post.compound
        lines += [
            "BEGIN:VEVENT",
            f"UID:assignment-{a.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(shift.starts_at)}",
            f"DTEND:{_utc(shift.ends_at)}",
            f"SUMMARY:{_escape(f'{shift.post.name} · {compound.name}')}",
            f"LOCATION:{_escape(compound.address or compound.name)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
