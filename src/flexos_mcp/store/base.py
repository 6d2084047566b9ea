"""The file store's interface and its URIs (see the package docstring for the contract)."""

from __future__ import annotations

import hashlib
import re
from typing import BinaryIO, Protocol, runtime_checkable

from ..errors import FlexError

FILE_URL_PREFIX = "flexos://files/sha256/"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class StoredFileMissing(FlexError):
    """No stored file has this digest (or the digest is not 64 lowercase hex digits)."""

    def __init__(self, digest: str):
        shown = digest if _DIGEST.match(digest or "") else "(malformed digest)"
        super().__init__(
            f"The stored file {shown} is missing from the file store; add the file again "
            f"with create_context_item (content_base64)."
        )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_digest(value: str) -> bool:
    return bool(_DIGEST.match(value or ""))


def file_url(digest: str) -> str:
    """The `content_url` of a stored file."""
    if not is_digest(digest):
        raise ValueError("a file digest is 64 lowercase hex digits")
    return FILE_URL_PREFIX + digest


def digest_of_url(url: str | None) -> str | None:
    """The digest a store URI names; None for any other URL (or a malformed store URI)."""
    if not url or not url.startswith(FILE_URL_PREFIX):
        return None
    digest = url[len(FILE_URL_PREFIX) :]
    return digest if is_digest(digest) else None


@runtime_checkable
class FileStore(Protocol):
    """Where stored files live. Implementations keep bytes by their SHA-256 digest."""

    def put(self, data: bytes) -> str:
        """Store `data` (atomically; the same bytes once) and return its digest."""
        ...

    def read(self, digest: str) -> bytes:
        """The bytes stored under `digest`; StoredFileMissing when there are none."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """A binary file object reading the stored bytes (close it); StoredFileMissing when none."""
        ...

    def exists(self, digest: str) -> bool: ...

    def size(self, digest: str) -> int:
        """Bytes stored under `digest`; StoredFileMissing when none."""
        ...
