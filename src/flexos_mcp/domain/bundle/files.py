"""A bundle's stored files (flexos_mcp.store): read by digest on export, checked and put on
import. An imported file passes the same gate as an uploaded one, apart from the item-type fit:
the store's size limit and the type sniffed from its bytes (programs and unknown binary data are
refused), and its name must be the SHA-256 of its bytes."""

from __future__ import annotations

from dataclasses import dataclass

from ...config import Config
from ...store import FileStore, LocalFileStore, StoredFileMissing, sha256_hex
from ...store.sniff import RefusedFile, sniff
from .archive import BundleRefused


@dataclass(frozen=True)
class BundleFiles:
    store: FileStore
    max_bytes: int

    def read(self, digest: str) -> bytes | None:
        """The file's bytes, or None when the store does not have it."""
        try:
            return self.store.read(digest)
        except StoredFileMissing:
            return None

    def check(self, digest: str, data: bytes) -> None:
        """Refuse a bundled file the store would not have taken."""
        if sha256_hex(data) != digest:
            raise BundleRefused(f"its stored file {digest} does not have that SHA-256 (edited).")
        if len(data) > self.max_bytes:
            raise BundleRefused(
                f"its stored file {digest} is {len(data):,} bytes, above this server's limit of "
                f"{self.max_bytes:,} (setting FLEXOS_MAX_FILE_MB)."
            )
        try:
            sniff(data)
        except RefusedFile as exc:
            raise BundleRefused(f"its stored file {digest} is refused: {exc}.") from None

    def put(self, data: bytes) -> str:
        return self.store.put(data)


def bundle_files(config: Config) -> BundleFiles:
    """This configuration's file store and size limit."""
    return BundleFiles(store=LocalFileStore(config.files_dir), max_bytes=config.max_file_bytes)
