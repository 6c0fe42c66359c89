"""The input's fingerprint (journeymap.fingerprint): hashed on a thread while the log is
read, and always of the file as it is when asked for."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from journeymap import fingerprint
from journeymap.fingerprint import file_sha256, hash_soon


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_started_hash_is_taken_once(tmp_path):
    path = tmp_path / "log.csv"
    data = b"case,activity,timestamp\n" + b"1,Call,2024-01-01 09:00\n" * 300_000
    path.write_bytes(data)
    hash_soon(path)
    hash_soon(path)  # a second start for the same file is the same hash
    assert len(fingerprint._started) >= 1
    assert file_sha256(path) == _sha(data)
    assert not any(key[0] == os.path.realpath(path) for key in fingerprint._started)
    assert file_sha256(path) == _sha(data)  # asked again: hashed here


def test_a_file_changed_after_the_start_is_hashed_again(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"case,activity\n1,a\n")
    hash_soon(path)
    path.write_bytes(b"case,activity\n1,a\n2,b\n")  # another size
    assert file_sha256(path) == _sha(b"case,activity\n1,a\n2,b\n")


def test_urls_and_missing_files_start_nothing(tmp_path):
    before = threading.active_count()
    hash_soon("postgresql://user:secret@localhost/db")
    hash_soon(tmp_path / "missing.csv")
    hash_soon(tmp_path)  # a folder
    assert threading.active_count() == before
    assert not any(key[0].startswith(str(tmp_path)) for key in fingerprint._started)


def test_a_file_gone_before_the_hash_is_asked_for_says_so(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"x")
    hash_soon(path)
    path.unlink()
    with pytest.raises(FileNotFoundError, match="log.csv"):
        file_sha256(path)
