"""Translations: gettext catalogs (.po) for zh_Hans_CN (the default UI language) and en.

Only the .po files are kept in the source; they are compiled into .mo files in a cache folder when first
needed (CKAN's ITranslation and Flask-Babel read .mo files). The English msgids are the source strings.
"""
from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

DOMAIN = "ckanext-gkcatalog"
LOCALES = ("zh_Hans_CN", "en")
DEFAULT_LOCALE = "zh_Hans_CN"


def po_path(locale: str) -> Path:
    return Path(str(resources.files(__name__).joinpath(locale, "LC_MESSAGES", f"{DOMAIN}.po")))


def compiled_dir() -> str:
    """A folder <locale>/LC_MESSAGES/ckanext-gkcatalog.mo, compiled from the .po files when they are newer."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(os.environ.get("GKCATALOG_I18N_CACHE") or Path(tempfile.gettempdir()) / "gkcatalog-i18n")
    for locale in LOCALES:
        source = po_path(locale)
        target = root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if source.exists() and (not target.exists() or target.stat().st_mtime < source.stat().st_mtime):
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as po:
                catalog = read_po(po, locale=locale)
            partial = target.with_suffix(f".{os.getpid()}.tmp")  # another process may compile at the same time
            with open(partial, "wb") as mo:
                write_mo(mo, catalog)
            os.replace(partial, target)
    return str(root)
