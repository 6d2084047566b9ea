"""Helpers the tests share: import them from here (`from helpers.mcp_client import call`), never
from conftest, which holds only fixtures. `ROOT` is the repository's root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
