"""The `gkcatalog` command line: the main group (main.py) and one module per command group, like CKAN's
ckan/cli. Thin: every command calls the core and the store and prints."""
from __future__ import annotations

from .main import main

__all__ = ["main"]
