"""Inside CKAN 2.11: the plugins (plugin.py, harvest_plugin.py), their actions, auth, validator, facets and
helpers (logic.py), the store and harvest settings from CKAN's config (settings.py), harvested items as
CKAN datasets (sync.py) and the ckanext-harvest adapter's stages (harvest_stages.py). Only this package
imports CKAN."""
