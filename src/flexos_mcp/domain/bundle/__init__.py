"""Whole-project bundles: `flexos-mcp export` / `import` and the portability tools.

archive.py is the zip format (members, manifest, checksums), catalog.py reads which tables and
columns a project has from the database catalog, transfer.py moves rows between the two, files.py
reads and checks stored files.
"""

from .archive import FORMAT_VERSION, BundleRefused
from .files import BundleFiles, bundle_files
from .transfer import BundleSummary, export_project, import_project, resolve_project_ref

__all__ = [
    "FORMAT_VERSION",
    "BundleFiles",
    "BundleRefused",
    "BundleSummary",
    "bundle_files",
    "export_project",
    "import_project",
    "resolve_project_ref",
]
