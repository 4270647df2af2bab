"""The extension's settings from CKAN's config: its store and the harvest limits, shared by the actions
(logic.py), the dataset sync (sync.py) and the ckanext-harvest adapter (harvest_stages.py).

The store lives in CKAN's database (or the one `ckanext.gkcatalog.db` names) and is migrated with
`ckan gkcatalog init`.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ..harvesters.fetch import FetchLimits
from ..harvesters.pipeline import HarvestSettings
from ..store import Store

_stores: dict = {}


def store_url(config) -> str:
    return config.get("ckanext.gkcatalog.db") or config.get("sqlalchemy.url")


def get_store() -> Store:
    """One store per database URL for the process (an engine and its pool)."""
    url = store_url(tk.config)
    if url not in _stores:
        _stores[url] = Store(url)
    return _stores[url]


def harvest_settings() -> HarvestSettings:
    """One source's harvest inside CKAN (the action, the ckanext-harvest adapter), from CKAN's config."""
    networks = tk.config.get("ckanext.gkcatalog.allow_networks") or []
    return HarvestSettings(FetchLimits(allowed_networks=networks), workers=1,
                           processes=tk.config.get("ckanext.gkcatalog.harvest_processes") or 0)


def site_lang() -> str:
    """'zh' or 'en': the site's default language, for what is written where no request has a language
    (the messages ckanext-harvest's consumers store with a job)."""
    return "en" if str(tk.config.get("ckan.locale_default") or "en").startswith("en") else "zh"
