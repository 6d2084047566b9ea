"""Whole-project bundles: `flexos-mcp export` / `import` and the portability tools.

archive.py is the zip format (members, manifest, checksums), catalog.py reads which tables and
columns a project has from the database catalog, transfer.py moves rows between the two.
"""

from .archive import FORMAT_VERSION, BundleRefused
from .transfer import BundleSummary, FileAccess, export_project, import_project, resolve_project_ref

__all__ = ["FORMAT_VERSION", "BundleRefused", "BundleSummary", "FileAccess", "export_project", "import_project",
           "resolve_project_ref"]
