"""Where SECRET_KEY comes from when the environment gives none.

A key published in the source would let anyone forge session cookies and password-reset
links, so there is none. A server reachable from elsewhere (SECURE=1, or an ALLOWED_HOSTS
entry other than the loopback) must be given its key; a laptop, ``make test`` and CI
make a random one once and keep it in a git-ignored file, so sessions survive restarts.
"""

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
MIN_LENGTH = 50


def is_loopback_only(hosts: Iterable[str]) -> bool:
    return all(host in LOOPBACK_HOSTS or host.startswith("127.") for host in hosts)


def secret_key(
    *, configured: str, secure: bool, allowed_hosts: Iterable[str], key_file: Path
) -> str:
    """The configured key; otherwise, on a loopback-only development setup, the local one."""
    if configured:
        return configured
    hosts = list(allowed_hosts)
    if secure or not is_loopback_only(hosts):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. A server reachable from other machines (SECURE=1, or "
            f"ALLOWED_HOSTS={','.join(hosts)}) needs its own secret key: set SECRET_KEY to "
            f"{MIN_LENGTH}+ random characters, e.g. the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    return local_secret_key(key_file)


def local_secret_key(path: Path) -> str:
    """Read the key kept in ``path``, making it first if need be.

    Two processes may start at once (pytest-xdist workers, gunicorn): the key is written
    whole to a private temporary file and linked into place, which fails if another
    process got there first; the loser then reads the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"{path} holds no usable secret key; delete it and a new one is made."
        )
    return key
