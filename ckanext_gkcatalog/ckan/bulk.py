"""New datasets written many at a time, as CKAN's own bulk actions write (bulk_update_private): rows by
SQL, then the search index by hand, one search-index commit per batch.

package_create costs about 35 SQL round trips per dataset and indexes each new dataset twice (CKAN lists
it as new, and again as changed through its new extras). Here each dataset is still validated by its
package plugin (ckanext-scheming) with the create schema, exactly as package_create validates it, and
every IPackageController's create/after_dataset_create and the action_succeeded signal (the activity
stream) still hear of it; only the writing is batched: one INSERT per table per batch, and one indexing
per dataset from package_show. A dataset needing more than a package, its extras and its organization
(resources, tags, groups, or a name a deleted dataset still holds) is left to package_create.
"""
from __future__ import annotations

import datetime
import uuid

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib import search

# What package_dict_save would write in other tables than package, package_extra and member.
_OTHER_TABLES = ("resources", "tags", "groups", "relationships_as_subject", "relationships_as_object",
                 "plugin_data")


def creatable(datas: list[dict]) -> list[bool]:
    """For each dataset: True when the bulk path can write it (no row with its id or name exists, and it
    has nothing for other tables); the others go through package_create."""
    ids = [d["id"] for d in datas]
    names = [d["name"] for d in datas]
    taken = {row for pair in model.Session.query(model.Package.id, model.Package.name).filter(
        model.Package.id.in_(ids) | model.Package.name.in_(names)) for row in pair}
    return [d["id"] not in taken and d["name"] not in taken and not any(d.get(k) for k in _OTHER_TABLES)
            for d in datas]


def create_datasets(datas: list[dict], context: dict, on_written=None) -> dict:
    """Validate and write new datasets, then index them; nothing is committed (the caller commits, after
    adding its own rows to the same transaction). Returns {index in `datas`: ValidationError} for the
    datasets the package plugin refused, which are not written. `on_written(index, data)` is called for
    each written dataset before it is indexed."""
    if not datas:
        return {}
    plugin = lib_plugins.lookup_package_plugin(datas[0]["type"])
    check = {**context, "model": model, "session": model.Session}
    tk.check_access("package_create", check, datas[0])  # the writer's right, asked once (a user look-up)
    refused, valid = {}, []
    for index, data in enumerate(datas):
        validated, errors = lib_plugins.plugin_validate(plugin, {**check}, dict(data), plugin.create_package_schema(),
                                                        "package_create")
        if errors:
            refused[index] = tk.ValidationError(errors)
        else:
            valid.append((index, {**validated, "id": data["id"]}))
    if not valid:
        return refused
    _insert_rows([v for _, v in valid], context)
    if on_written:
        for index, _ in valid:
            on_written(index, datas[index])
    _tell_plugins(valid, context)
    model.Session.flush()  # what on_written added (harvest objects) is read by the indexing's plugins
    _index([v["id"] for _, v in valid])
    return refused


def _insert_rows(datasets: list[dict], context: dict) -> None:
    now = datetime.datetime.utcnow()
    user = model.User.by_name(context["user"])
    columns = {c.name for c in model.package_table.columns} - {"plugin_data"}
    packages, extras, members = [], [], []
    for data in datasets:
        packages.append({**{k: data.get(k) for k in columns}, "metadata_created": now, "metadata_modified": now,
                         "state": data.get("state") or "active", "private": bool(data.get("private")),
                         "creator_user_id": user.id if user else None})
        extras.extend({"id": str(uuid.uuid4()), "package_id": data["id"], "key": e["key"], "value": e["value"],
                       "state": "active"}
                      for e in data.get("extras") or [] if not e.get("deleted") and e.get("value") is not None)
        if data.get("owner_org"):
            members.append({"id": str(uuid.uuid4()), "table_name": "package", "table_id": data["id"],
                            "capacity": "organization", "group_id": data["owner_org"], "state": "active"})
    session = model.Session
    session.execute(model.package_table.insert(), packages)
    if extras:
        session.execute(model.package_extra_table.insert(), extras)
    if members:
        session.execute(model.member_table.insert(), members)


def _tell_plugins(valid: list, context: dict) -> None:
    """What package_create tells other extensions after writing: IPackageController and the signal the
    activity plugin listens to."""
    controllers = list(plugins.PluginImplementations(plugins.IPackageController))
    context = {**context, "model": model, "session": model.Session}  # as an action's context has them
    packages = {p.id: p for p in model.Session.query(model.Package).filter(
        model.Package.id.in_([v["id"] for _, v in valid]))} if controllers else {}
    for _, validated in valid:
        for controller in controllers:
            controller.create(packages[validated["id"]])
            controller.after_dataset_create(context, validated)
        tk.signals.action_succeeded.send("package_create", context=context, data_dict=validated,
                                         result=validated["id"])


def _index(ids: list[str]) -> None:
    """Each dataset indexed once, from package_show as CKAN's own indexing reads it; one index commit."""
    index = search.index_for(model.Package)
    show = tk.get_action("package_show")
    for package_id in ids:
        index.index_package(show({"ignore_auth": True, "validate": False, "use_cache": False}, {"id": package_id}),
                            defer_commit=True)
    index.commit()
