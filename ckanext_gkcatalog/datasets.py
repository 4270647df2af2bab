"""An item as a CKAN dataset of type gk-catalog-item, and a county as its CKAN organization: the shape
the datasets have inside CKAN (ckan/sync.py writes them) and in the standalone portal's CKAN-compatible
API (web/views/api.py serves them), so that one CKAN reader harvests either.
"""
from __future__ import annotations

import uuid

from .schema import CKAN_CORE_FIELDS, DATASET_TYPE

_ORG_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:gkcatalog:organization")


def dataset_id(item_id: str) -> str:
    """A stable item id (32 hex digits) is also its dataset's id: CKAN wants a UUID."""
    return str(uuid.UUID(item_id))


def dataset_name(item_id: str) -> str:
    return f"gk-{item_id}"


def item_id_of(dataset: str) -> str | None:
    """The item id behind a dataset's id or name, or None when it is neither."""
    text = (dataset or "").strip().lower()
    text = text[3:] if text.startswith("gk-") else text
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return None


def org_name(county) -> str:
    """Organizations are named by the county's division code (or the name a CKAN site gave it)."""
    return county.org_name or county.code


def dataset_dict(item, organization: str) -> dict:
    fields = {k: v for k, v in (item.fields or {}).items() if k not in CKAN_CORE_FIELDS and v not in (None, "", [])}
    return {**fields, "type": DATASET_TYPE, "id": dataset_id(item.id), "name": dataset_name(item.id),
            "title": item.level3 or item.level2 or item.level1, "owner_org": organization,
            "county_code": item.county_code, "domain": item.domain}


def organization_dict(county, package_count: int | None = None) -> dict:
    """A county as CKAN's organization_show answers."""
    found = {"id": str(uuid.uuid5(_ORG_NAMESPACE, county.code)), "name": org_name(county), "title": county.name,
             "display_name": county.name, "type": "organization", "is_organization": True, "state": "active",
             "approval_status": "approved", "description": "", "image_url": "", "image_display_url": "",
             "created": county.created_at.isoformat() if county.created_at else None}
    if package_count is not None:
        found["package_count"] = package_count
    return found


def api_dataset(item, county, changed_at=None) -> dict:
    """package_show's answer for an item: the gk-catalog-item fields and CKAN's own keys."""
    organization = organization_dict(county)
    return {**dataset_dict(item, organization["id"]), "organization": organization, "state": "active",
            "private": False, "notes": (item.fields or {}).get("content") or "", "license_id": "",
            "metadata_created": item.first_seen.isoformat() if item.first_seen else None,
            "metadata_modified": (changed_at or item.first_seen).isoformat() if (changed_at or item.first_seen) else None,
            "resources": [], "num_resources": 0, "tags": [], "num_tags": 0, "groups": [], "extras": [],
            "relationships_as_object": [], "relationships_as_subject": []}
