"""Translations: gettext catalogs (.po) for zh_Hans_CN (the default UI language) and en.

Only the .po files are kept in the source. Building the package compiles them into .mo files beside them
(setup.py); a source checkout without them compiles into the user's own cache folder when first needed.
CKAN's ITranslation, Flask-Babel and the command line read the .mo files. The English msgids are the
source strings.
"""
from __future__ import annotations

import gettext
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

DOMAIN = "ckanext-gkcatalog"
LOCALES = ("zh_Hans_CN", "en")
DEFAULT_LOCALE = "zh_Hans_CN"


def po_path(locale: str) -> Path:
    return _package_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _package_dir() -> Path:
    return Path(str(resources.files(__name__)))


def _built(root: Path) -> bool:
    """Whether the package was built with its .mo files (a source checkout never has them: .gitignore)."""
    return all((root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").exists() for locale in LOCALES)


@lru_cache(maxsize=1)
def compiled_dir() -> str:
    """A folder <locale>/LC_MESSAGES/ckanext-gkcatalog.mo: the package's own when it was built with them,
    else a per-user cache compiled from the .po files (GKCATALOG_I18N_CACHE overrides where)."""
    if _built(_package_dir()):
        return str(_package_dir())
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    cache = os.environ.get("GKCATALOG_I18N_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gkcatalog-i18n")
    root = Path(cache)
    for locale in LOCALES:
        source, target = po_path(locale), root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if source.exists() and (not target.exists() or target.stat().st_mtime < source.stat().st_mtime):
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as po:
                catalog = read_po(po, locale=locale)
            partial = target.with_suffix(f".{os.getpid()}.tmp")  # another process may compile at the same time
            with open(partial, "wb") as mo:
                write_mo(mo, catalog)
            os.replace(partial, target)
    return str(root)


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for 'zh' or 'en', for code outside a web request (the command line, exports)."""
    locale = DEFAULT_LOCALE if lang == "zh" else "en"
    return gettext.translation(DOMAIN, compiled_dir(), languages=[locale], fallback=True)
