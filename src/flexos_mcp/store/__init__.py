"""Stored files of context items: the bytes of screenshots and files people add.

The store is content-addressed: a file is named by the SHA-256 of its bytes, so the same bytes
are stored once however often they are added, a name can never point outside the store (it is 64
hex digits, nothing else), and a reader can check what it got.

CONTRACT (other parts of FlexOS, e.g. project export/import, rely on it):

- A stored file's `content_url` on a context item is exactly `flexos://files/sha256/<64 lowercase
  hex>` (`file_url(digest)`; `digest_of_url(url)` gives the digest back, or None for any other URL).
- Every store implements `FileStore`: `put(data: bytes) -> digest` (atomic, idempotent),
  `read(digest) -> bytes`, `open(digest) -> binary file object`, `exists(digest) -> bool`,
  `size(digest) -> int`. An unknown or malformed digest raises `StoredFileMissing`.
- `LocalFileStore(root)` keeps files under `root/sha256/<2 hex>/<digest>` (root: the setting
  `FLEXOS_STORE_DIR`, default `<FLEXOS_DATA_DIR>/files`). An S3-compatible store can follow by
  implementing `FileStore` with the digest as the object key.
- Files no row references any more are removed by `flexos-mcp files prune`
  (domain/stored_files.py), only when older than a grace period. It relies on `put` of bytes
  already stored *freshening* the file (its modification time becomes now), and on
  `LocalFileStore.remove_unchanged` keeping a file freshened since it was listed.

What may be stored (sniffed type, size limit, decodable images) is decided before `put`, by
`intake.accept_bytes`; `put` itself stores any bytes it is given.
"""

from .base import FILE_URL_PREFIX, FileStore, StoredFileMissing, digest_of_url, file_url, is_digest, sha256_hex
from .local import LocalFileStore

__all__ = [
    "FILE_URL_PREFIX",
    "FileStore",
    "LocalFileStore",
    "StoredFileMissing",
    "digest_of_url",
    "file_url",
    "is_digest",
    "sha256_hex",
]
