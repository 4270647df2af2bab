"""The ckanext-harvest adapter (`ckan.plugins = harvest gkcatalog_harvest`): thin wiring of
harvest_stages.py. Its own module because ckanext-harvest is needed only by portals that harvest through it.

A harvest source of type `gkcatalog` has the county catalog's URL and a JSON configuration such as
{"county_code": "990101", "domain": "social_assistance", "kind": "html"} (all optional: the county is
by default the source's organization, named by its division code; the kind is detected).
"""
from __future__ import annotations

from ckanext.harvest.harvesters.base import HarvesterBase

from . import harvest_stages


class GkCatalogHarvester(HarvesterBase):
    def info(self):
        return {"name": "gkcatalog", "title": "基层政务公开标准目录 / Grassroots disclosure catalog",
                "description": "A county's standard disclosure catalog (CKAN, spreadsheet, web page, Word file), "
                               "checked against the province's baseline"}

    def validate_config(self, config):
        return harvest_stages.validate_config(config)

    def gather_stage(self, harvest_job):
        return harvest_stages.gather(harvest_job, self._save_gather_error)

    def fetch_stage(self, harvest_object):
        return True  # the gather stage fetched, read and wrote the whole catalog

    def import_stage(self, harvest_object):
        return True  # each dataset was written in the gather stage, with its object
