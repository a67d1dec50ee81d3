"""Card numbers and QR secrets: no look-alike characters (0/O, 1/I/L), no sequence."""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 6
SECRET_LENGTH = 20  # about 99 bits


def new_number() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(NUMBER_LENGTH))


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def normalize(code: str) -> str:
    """What a volunteer typed or a camera read, in the stored form."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def display_number(number: str) -> str:
    """K7P3QX → K7P-3QX, the form printed on the card."""
    return f"{number[:3]}-{number[3:]}" if len(number) == NUMBER_LENGTH else number


def is_number(code: str) -> bool:
    return len(code) == NUMBER_LENGTH


# A capability token (compounds.capabilities: token_urlsafe(32), 43 characters), alone or
# as the last part of a link's path. Cards are 6 or 20 characters and never look like it.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{40,64}")


def capability_token(scanned: str) -> str:
    """The capability token in what a camera read (a link or a bare token), or ""."""
    text = (scanned or "").strip()
    path = text.split("?", 1)[0].split("#", 1)[0]
    parts = [part for part in path.split("/") if part]
    candidate = parts[-1] if parts else ""
    return candidate if _TOKEN.fullmatch(candidate) else ""
