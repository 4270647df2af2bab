"""The gkcatalog CKAN plugin: thin wiring of what logic.py, settings.py, sync.py and the dashboards
blueprint (web/) do.

    ckan.plugins = scheming_datasets gkcatalog            (+ harvest gkcatalog_harvest for ckanext-harvest)
    scheming.dataset_schemas = ckanext_gkcatalog.schemas:gk_catalog_item.yaml
"""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ..i18n import compiled_dir
from ..schema import reload_schema
from ..web.blueprint import mounted_at
from . import logic, presentation, settings


class GkCatalogPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IBlueprint)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IValidators)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.ITemplateHelpers)
    p.implements(p.ITranslation)
    p.implements(p.IClick)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "../web/templates")  # relative to this file

    # IConfigurable: the `ckan gkcatalog` commands and the harvest threads use the same database
    def configure(self, config):
        os.environ["GKCATALOG_DB"] = settings.store_url(config)  # ckan.ini wins over a stray environment
        if config.get("ckanext.gkcatalog.domains"):  # the province's own domains, for the harvest threads too
            os.environ["GKCATALOG_DOMAINS"] = config["ckanext.gkcatalog.domains"]
        else:
            os.environ.pop("GKCATALOG_DOMAINS", None)
        reload_schema()

    # IConfigDeclaration
    def declare_config_options(self, declaration, key):
        section = key.ckanext.gkcatalog
        declaration.annotate("ckanext-gkcatalog")
        declaration.declare(section.db, "").set_description(
            "SQLAlchemy URL of the catalog store; empty: CKAN's own database (sqlalchemy.url)")
        declaration.declare_list(section.allow_networks, []).set_description(
            "Networks (CIDR) that source URLs may reach although private, e.g. 127.0.0.1/32 for tests")
        declaration.declare(section.domains, "").set_description(
            "YAML file of the province's own policy domains (code, label, aliases), as schemas/domains.yaml")
        declaration.declare_int(section.harvest_processes, 0).set_description(
            "Parser processes of a harvest run from ckanext-harvest or `ckan gkcatalog harvest`")

    # IBlueprint: the dashboards under /gkcatalog, in CKAN's page layout
    def get_blueprint(self):
        return [mounted_at("/gkcatalog")]

    # IMiddleware: the hooks the blueprint asks its host for
    def make_middleware(self, app, config):
        from .commands import start_harvest

        if hasattr(app, "extensions"):  # the Flask app (CKAN 2.11 has no other)
            app.extensions["gkcatalog_store"] = settings.get_store()
            app.config.update(GKCATALOG_LAYOUT="gkcatalog/ckan_page.html", GKCATALOG_LANG=presentation.lang,
                              GKCATALOG_IS_ADMIN=logic.blueprint_is_admin,
                              GKCATALOG_USER=logic.blueprint_user, GKCATALOG_URL_FOR=presentation.url_for,
                              GKCATALOG_START_HARVEST=start_harvest)
        return app

    # IActions, IAuthFunctions, IValidators, ITemplateHelpers
    def get_actions(self):
        return logic.ACTIONS

    def get_auth_functions(self):
        return logic.AUTH

    def get_validators(self):
        return {"gk_open_multiple_choice": logic.gk_open_multiple_choice}

    def get_helpers(self):
        return presentation.HELPERS

    # IPackageController
    def before_dataset_index(self, pkg_dict):
        return logic.before_dataset_index(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        return presentation.after_dataset_search(search_results)

    def after_dataset_show(self, context, pkg_dict):
        presentation.with_description(pkg_dict)

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return presentation.dataset_facets(facets_dict, package_type)

    # ITranslation: the .po files in i18n/ compiled at start-up (no .mo is committed)
    def i18n_directory(self):
        return compiled_dir()

    def i18n_locales(self):
        return ["zh_Hans_CN", "en"]

    def i18n_domain(self):
        return "ckanext-gkcatalog"

    # IClick: `ckan gkcatalog ...` is the standalone command line on CKAN's database, without its own
    # accounts and server
    def get_commands(self):
        from .commands import commands

        return commands()
