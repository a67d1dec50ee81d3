"""Settings that decide whether Bastion may start: the secret key."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from bastion import secret_key as sk

PUBLISHED_KEY = "bastion-dev-only-not-secret-" + "x" * 30


def _start(**env: str) -> subprocess.CompletedProcess:
    """Run ``manage.py check --deploy`` with only the given settings in the environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECURE", "DEBUG"}}
    clean.pop("ALLOWED_HOSTS", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_without_secret_key_refuse_to_start():
    result = _start(DEBUG="0", SECURE="1", ALLOWED_HOSTS="bastion.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_secure_without_secret_key_is_refused_even_on_loopback(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        sk.secret_key(
            configured="", secure=True, allowed_hosts=["127.0.0.1"], key_file=tmp_path / "k"
        )
    assert not (tmp_path / "k").exists()


@pytest.mark.parametrize("host", ["bastion.example.org", "*", "10.0.0.5"])
def test_a_public_host_without_secret_key_is_refused(tmp_path, host):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        sk.secret_key(
            configured="", secure=False, allowed_hosts=["localhost", host], key_file=tmp_path / "k"
        )


def test_a_configured_key_is_used_as_given(tmp_path):
    key = "k" * 60
    assert (
        sk.secret_key(
            configured=key, secure=True, allowed_hosts=["example.org"], key_file=tmp_path / "k"
        )
        == key
    )


def test_loopback_setup_makes_a_private_random_key_once_and_keeps_it(tmp_path):
    path = tmp_path / "var" / "secret_key"
    hosts = ["127.0.0.1", "localhost", "[::1]"]
    first = sk.secret_key(configured="", secure=False, allowed_hosts=hosts, key_file=path)
    second = sk.secret_key(configured="", secure=False, allowed_hosts=hosts, key_file=path)
    assert first == second
    assert len(first) >= 50
    assert first != PUBLISHED_KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_a_key_made_by_another_process_at_the_same_time_wins(tmp_path, monkeypatch):
    """The second of two workers starting at once reads the first's key, not its own."""
    path = tmp_path / "secret_key"
    theirs = "t" * 60
    real_link = os.link

    def another_process_got_there_first(src: str, dst: str) -> None:
        Path(dst).write_text(theirs)
        real_link(src, dst)

    monkeypatch.setattr(sk.os, "link", another_process_got_there_first)
    assert sk.local_secret_key(path) == theirs
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_an_empty_key_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("")
    with pytest.raises(ImproperlyConfigured, match="delete it"):
        sk.local_secret_key(path)


def test_the_running_app_never_uses_the_published_key():
    assert settings.SECRET_KEY != PUBLISHED_KEY
    assert len(settings.SECRET_KEY) >= 50
