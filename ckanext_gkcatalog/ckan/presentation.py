"""How disclosure items read on CKAN's own pages (/dataset, /gk-catalog-item, a dataset's page): facet
values as labels in the page's language, the item's content as its description, its county and L1 item
beside each result, and the type's name (公开事项 / Disclosure item) in headings and breadcrumbs.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import has_request_context

from ..datasets import dataset_name
from ..schema import DATASET_TYPE, load_schema
from .settings import site_lang

FACETS = {"domain": ("领域", "Policy domain"), "level1": ("一级事项", "Level 1 item"),
          "mode": ("公开方式", "Mode"), "tiers": ("公开层级", "Tier"), "channels": ("公开渠道", "Channel")}


def lang() -> str:
    """The page's language; outside a request (a background job, a command), the site's default."""
    if not has_request_context():
        return site_lang()
    return "en" if (tk.h.lang() or "").startswith("en") else "zh"


def dataset_facets(facets: dict, package_type: str) -> dict:
    """The items' facets on their own search page and on /dataset, where items are datasets too."""
    if package_type not in (DATASET_TYPE, "dataset"):
        return facets
    zh = lang() == "zh"
    for name, (label_zh, label_en) in FACETS.items():
        facets[name] = label_zh if zh else label_en
    return facets


def choice_label(field_name: str, value: str) -> str:
    """The label of a schema value in the page's language; a value outside the choices as it is."""
    field = load_schema().fields.get(field_name)
    return field.value_label(value, "en" if lang() == "en" else "zh_Hans_CN") if field else value


def after_dataset_search(results: dict) -> dict:
    """Facet values shown by their label (社会救助, not social_assistance), and each item with its content
    as its description."""
    for name, facet in (results.get("search_facets") or {}).items():
        if name in FACETS:
            for entry in facet.get("items", []):
                entry["display_name"] = choice_label(name, entry.get("name"))
    for dataset in results.get("results") or []:
        with_description(dataset)
    return results


def with_description(dataset: dict) -> dict:
    if dataset.get("type") == DATASET_TYPE and not dataset.get("notes"):
        dataset["notes"] = dataset.get("content") or ""
    return dataset


# what CKAN's templates say of a type, by purpose (ckan.lib.helpers.humanize_entity_type); English here,
# translated by the extension's catalogs
def _type_texts() -> dict:
    return {"add link": tk._("Add disclosure item"), "create label": tk._("Create disclosure item"),
            "create title": tk._("Create disclosure item"), "edit label": tk._("Edit disclosure item"),
            "update label": tk._("Update disclosure item"), "save label": tk._("Save disclosure item"),
            "view label": tk._("View disclosure items"), "search placeholder": tk._("Search disclosure items..."),
            "no description": tk._("This disclosure item has no content"),
            "no any objects": tk._("No disclosure items yet"), "my label": tk._("My disclosure items"),
            "delete confirmation": tk._("Are you sure you want to delete this disclosure item?"),
            "form label": tk._("Disclosure item form"), "name placeholder": tk._("<disclosure item>")}


def type_name_messages() -> tuple:
    """The words CKAN's templates build from the type's name and then translate: its title in breadcrumbs
    and page titles (_(dataset_type.title())), and the result counts of search_result_text.html. Listed
    here so that the extension's catalogs have them."""
    return (tk._("Gk-Catalog-Item"), tk._("Gk-Catalog-Items"),
            tk.ungettext('{number} gk-catalog-item found for "{query}"', '{number} gk-catalog-items found for "{query}"', 2),
            tk.ungettext("{number} gk-catalog-item found", "{number} gk-catalog-items found", 2),
            tk._('No gk-catalog-items found for "{query}"'), tk._("No gk-catalog-items found"))


@tk.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    if entity_type != "package" or object_type != DATASET_TYPE:
        return next_helper(entity_type, object_type, purpose)
    return _type_texts().get(purpose) or tk._("Disclosure items")


# the portal's pages that CKAN has its own of
CKAN_ENDPOINTS = {"gkcatalog.login": "user.login", "gkcatalog.logout": "user.logout"}


def url_for(endpoint: str, **values) -> str:
    """The dashboards' links inside CKAN: with CKAN's locale prefix (/en/...), an item to its dataset,
    the login to CKAN's."""
    if endpoint == "gkcatalog.item":
        return tk.h.url_for(f"{DATASET_TYPE}.read", id=dataset_name(values["item_id"]))
    if endpoint in CKAN_ENDPOINTS:
        values.pop("next", None)
        return tk.h.url_for(CKAN_ENDPOINTS[endpoint], **values)
    return tk.h.url_for(endpoint, **values)


def domain_choices(field=None) -> list[dict]:
    """The domain field's choices for ckanext-scheming (its choices_helper): the pilot domains and the
    province's own (ckanext.gkcatalog.domains)."""
    return [{"value": c.value, "label": dict(c.labels)} for c in load_schema().field("domain").choices]


HELPERS = {"gkcatalog_choice_label": choice_label, "gkcatalog_facet_names": lambda: list(FACETS),
           "gkcatalog_domain_choices": domain_choices, "humanize_entity_type": humanize_entity_type}
