"""The file store, the type sniffer, path reads and URL checks on their own (no database)."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import threading

import pytest

from flexos_mcp.domain.context_items import check_content_url
from flexos_mcp.errors import InvalidInput
from flexos_mcp.store import FileStore, LocalFileStore, StoredFileMissing, digest_of_url, file_url
from flexos_mcp.store.fetch import why_not_public
from flexos_mcp.store.sniff import RefusedFile, sniff
from flexos_mcp.store.user_paths import read_allowed_file

from helpers.context_files import ELF_BYTES, png_bytes, stored_files


def test_the_store_keeps_bytes_by_digest_once_and_atomically(tmp_path):
    store = LocalFileStore(tmp_path)
    assert isinstance(store, FileStore)
    data = png_bytes(20, 20)
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.put(data) == digest and store.read(digest) == data and store.size(digest) == len(data)
    with store.open(digest) as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    assert file_url(digest) == f"flexos://files/sha256/{digest}" and digest_of_url(file_url(digest)) == digest
    assert stored_files(tmp_path) == [store.path_of(digest).relative_to(tmp_path)]
    assert oct(store.path_of(digest).stat().st_mode & 0o777) == "0o600"
    # many writers of the same bytes at once: one file, no temporary left behind
    others = [os.urandom(1000) for _ in range(4)]
    threads = [threading.Thread(target=store.put, args=(blob,)) for blob in others * 5]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored_files(tmp_path)) == 5 and not any(p.parts[0] == "tmp" for p in stored_files(tmp_path))


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "a" * 64 + "\x00", "A" * 64, "0" * 63, "", "..", "sha256/" + "0" * 64]
)
def test_no_digest_names_a_place_outside_the_store(tmp_path, name):
    store = LocalFileStore(tmp_path)
    for action in (store.read, store.open, store.size, store.path_of):
        with pytest.raises(StoredFileMissing):
            action(name)
    assert store.exists(name) is False and digest_of_url("flexos://files/sha256/" + name) is None


def test_links_planted_in_the_store_lead_nowhere(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret"
    secret.write_bytes(b"not yours")
    store = LocalFileStore(tmp_path / "store")
    digest = hashlib.sha256(b"planted").hexdigest()
    place = store.path_of(digest)
    place.parent.mkdir(parents=True)
    place.symlink_to(secret)  # a link where a file should be
    with pytest.raises(StoredFileMissing):
        store.read(digest)
    assert not store.exists(digest)
    # a folder of the store replaced by a link out of it: nothing is read or written there
    other = hashlib.sha256(b"elsewhere").hexdigest()
    store.path_of(other).parent.symlink_to(outside)
    with pytest.raises(OSError):
        store.put(b"elsewhere")
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    (outside / other).write_bytes(b"elsewhere")
    with pytest.raises(StoredFileMissing):
        store.read(other)


@pytest.mark.parametrize(
    "data,name,mime",
    [
        (png_bytes(8, 8), "shot.png", "image/png"),
        (png_bytes(8, 8), "report.pdf", "image/png"),  # the bytes decide
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a.jpg", "image/jpeg"),
        (b"GIF89a....", None, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "x.webp", "image/webp"),
        (b"%PDF-1.7\n", "spec.png", "application/pdf"),
        (b"PK\x03\x04rest", "brand.zip", "application/zip"),
        (b"<!DOCTYPE html><html></html>", "page.txt", "text/html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "image/svg+xml"),
        (b'{"colors": ["#fff"]}', "tokens.json", "application/json"),
        (b"body { color: red }", "site.css", "text/css"),
        (b"# Notes\n", "notes.md", "text/markdown"),
        (b"MZ Ventures pitch notes", "notes.txt", "text/plain"),  # "MZ" text is text, not a program
    ],
)
def test_the_type_comes_from_the_bytes(data, name, mime):
    assert sniff(data, name).mime == mime


@pytest.mark.parametrize(
    "data,what",
    [
        (ELF_BYTES, "Linux program"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)), "Windows program"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 32, "macOS program"),
        (b"#!/bin/sh\nrm -rf ~\n", "interpreter line"),
        (b"\x00asm\x01\x00\x00\x00", "WebAssembly"),
        (bytes(range(256)) * 4, "unknown binary"),
    ],
)
def test_programs_and_unknown_binaries_are_refused_whatever_the_name(data, what):
    with pytest.raises(RefusedFile, match=what):
        sniff(data, "holiday.png")


def test_paths_are_read_only_inside_allowed_folders(tmp_path):
    allowed = tmp_path / "allowed"
    (allowed / "sub").mkdir(parents=True)
    (allowed / "sub" / "a.txt").write_text("hello")
    (tmp_path / "secret").write_text("no")
    (allowed / "link").symlink_to(tmp_path / "secret")
    (allowed / "fifo").mkdir()
    roots = (allowed,)
    assert read_allowed_file("sub/a.txt", roots, 100) == (b"hello", "a.txt")
    assert read_allowed_file(str(allowed / "sub" / "a.txt"), roots, 100)[0] == b"hello"
    refusals = {
        "../secret": "outside",
        "../../etc/passwd": "outside",
        "/etc/passwd": "outside",
        str(allowed / "sub" / ".." / ".." / "secret"): "outside",
        "link": "symbolic link",
        "sub/a.txt\x00.png": "NUL",
        "fifo": "not a regular file",
        "sub/missing": "does not exist",
    }
    for path, reason in refusals.items():
        with pytest.raises(InvalidInput, match=reason):
            read_allowed_file(path, roots, 100)
    with pytest.raises(InvalidInput, match="limit is"):
        read_allowed_file("sub/a.txt", roots, 3)
    with pytest.raises(InvalidInput, match="FLEXOS_FILE_ROOTS"):
        read_allowed_file("sub/a.txt", (), 100)


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://dribbble.com/shots/1", True),
        ("http://example.com", True),
        ("HTTPS://EXAMPLE.COM/x", True),
        ("flexos://files/sha256/" + "a" * 64, True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("ftp://x.example/", False),
        ("//example.com/x", False),
        ("https://", False),
        ("https://a.example/x y", False),
        ("flexos://files/sha256/xyz", False),
        ("flexos://projects/1", False),
    ],
)
def test_content_urls_are_web_addresses_or_store_uris(url, ok):
    if ok:
        assert check_content_url(url) == url
    else:
        with pytest.raises(ValueError):
            check_content_url(url)


@pytest.mark.parametrize(
    "address,public",
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::1", False),
        ("64:ff9b::a00:1", False),
        ("198.51.100.1", False),
    ],
)
def test_only_public_addresses_may_be_fetched(address, public):
    assert (why_not_public(ipaddress.ip_address(address)) is None) is public
