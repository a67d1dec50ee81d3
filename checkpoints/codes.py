"""Card numbers and QR secrets: no look-alike characters (0/O, 1/I/L), no sequence."""

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
