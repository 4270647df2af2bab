"""The catalog-item schema, read from schemas/gk_catalog_item.yaml (ckanext-scheming format).

Everything that knows about fields, labels and vocabularies asks this module, so the YAML stays the
single source of truth: the marshmallow validation is built from it, not written a second time.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

import marshmallow as ma
import yaml

from .domains import domain_entries
from .text import to_simplified

SCHEMA_PACKAGE = "ckanext_gkcatalog.schemas"
SCHEMA_FILE = "gk_catalog_item.yaml"
DATASET_TYPE = "gk-catalog-item"

# Fields of the scheming file that belong to CKAN's own dataset model, not to a disclosure item.
CKAN_CORE_FIELDS = ("title", "name", "owner_org")
LANGS = ("zh_Hans_CN", "en")


def load_yaml(text):
    """YAML read safely, by libyaml when PyYAML was built with it (ten times faster on a 100-item baseline)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def vocab_key(text: str) -> str:
    """The comparison form of a vocabulary spelling: width-folded, no spaces, simplified characters."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", to_simplified(text)).lower()


@dataclass(frozen=True)
class Choice:
    value: str
    labels: dict
    aliases: tuple = ()
    declared: dict | None = None

    def label(self, lang: str = "zh_Hans_CN") -> str:
        return self.labels.get(lang) or self.labels.get("zh_Hans_CN") or self.value


@dataclass
class Field:
    name: str
    labels: dict
    help_text: dict = field(default_factory=dict)
    required_for: frozenset = frozenset()  # {"county", "baseline"}
    multiple: bool = False
    open_choices: bool = False
    pattern: str | None = None
    choices: list = field(default_factory=list)
    _lookup: dict = field(default_factory=dict, repr=False)

    def label(self, lang: str = "zh_Hans_CN") -> str:
        return self.labels.get(lang) or self.labels.get("zh_Hans_CN") or self.name

    def lookup(self, text: str) -> str | None:
        """The choice value a published spelling stands for, or None when it is not in the vocabulary."""
        return self._lookup.get(vocab_key(text))

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)

    def value_label(self, value: str, lang: str = "zh_Hans_CN") -> str:
        choice = self.choice(value)
        return choice.label(lang) if choice else value


def _as_labels(raw) -> dict:
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    return {"zh_Hans_CN": str(raw), "en": str(raw)} if raw else {}


def _build_field(spec: dict) -> Field:
    required = spec.get("gk_required")
    required_for = frozenset({"county", "baseline"} if required == "both" else {required} if required else ())
    fld = Field(
        name=spec["field_name"],
        labels=_as_labels(spec.get("label")),
        help_text=_as_labels(spec.get("help_text")),
        required_for=required_for,
        multiple=bool(spec.get("gk_multiple")),
        open_choices=bool(spec.get("gk_open_choices")),
        pattern=spec.get("gk_pattern"),
    )
    choices = spec.get("choices") or ()
    if spec.get("choices_helper") == "gkcatalog_domain_choices":  # a data file, extended by the province's
        choices = [{"value": e["code"], "label": e["label"], "gk_aliases": e["aliases"], "gk_declared": e["declared"]}
                   for e in domain_entries()]
    for c in choices:
        choice = Choice(c["value"], _as_labels(c["label"]), tuple(c.get("gk_aliases") or ()), c.get("gk_declared"))
        fld.choices.append(choice)
        for spelling in (choice.value, *choice.labels.values(), *choice.aliases):
            fld._lookup.setdefault(vocab_key(spelling), choice.value)
    return fld


@dataclass
class ItemSchema:
    dataset_type: str
    fields: dict  # name -> Field, in file order, CKAN core fields excluded
    raw: dict

    def field(self, name: str) -> Field:
        return self.fields[name]

    @property
    def field_names(self) -> list:
        return list(self.fields)

    def domain(self, text: str) -> str | None:
        return self.fields["domain"].lookup(text)

    @cached_property
    def closed_vocabularies(self) -> dict:
        """{field: allowed values} for the fields whose values must come from the schema's choices."""
        return {f.name: {c.value for c in f.choices} for f in self.fields.values() if f.choices and not f.open_choices}


@lru_cache(maxsize=1)
def load_schema() -> ItemSchema:
    text = resources.files(SCHEMA_PACKAGE).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    raw = load_yaml(text)
    fields = {}
    for spec in raw["dataset_fields"]:
        if spec["field_name"] not in CKAN_CORE_FIELDS:
            fields[spec["field_name"]] = _build_field(spec)
    return ItemSchema(raw["dataset_type"], fields, raw)


def reload_schema() -> None:
    """Read the schema and the domain files again (the province's domain file was named or changed)."""
    load_schema.cache_clear()
    item_validator.cache_clear()


def domain_label(key: str, lang: str = "zh") -> str:
    """A domain's name in 'zh' or 'en' (an unknown key as it is)."""
    return load_schema().field("domain").value_label(key, "en" if lang == "en" else "zh_Hans_CN")


# --- validation -------------------------------------------------------------------------------------
# Error messages are codes ("required", "vocabulary:VALUE", "pattern"); problems.py turns them into
# bilingual messages with the file, row and field attached.

def _non_empty(value):
    if value in (None, "", [], ()):
        raise ma.ValidationError("required")


def _in_vocabulary(fld: Field):
    allowed = {c.value for c in fld.choices}

    def check(value):
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ma.ValidationError([f"vocabulary:{v}" for v in bad])
    return check


def _matches(pattern: str):
    compiled = re.compile(pattern)

    def check(value):
        if not compiled.match(str(value)):
            raise ma.ValidationError("pattern")
    return check


def _marshmallow_field(fld: Field, required: bool) -> ma.fields.Field:
    validators = []
    if required:
        validators.append(_non_empty)
    if fld.choices and not fld.open_choices:
        validators.append(_in_vocabulary(fld))
    if fld.pattern:
        validators.append(_matches(fld.pattern))
    messages = {"required": "required", "null": "required", "invalid": "invalid"}
    if fld.multiple:
        return ma.fields.List(ma.fields.String(), required=required, allow_none=not required,
                              validate=validators, error_messages=messages)
    return ma.fields.String(required=required, allow_none=not required, validate=validators,
                            error_messages=messages)


@lru_cache(maxsize=2)
def item_validator(kind: str = "county") -> ma.Schema:
    """A marshmallow schema for a county item (kind='county') or a baseline item (kind='baseline')."""
    schema = load_schema()
    declared = {name: _marshmallow_field(fld, kind in fld.required_for) for name, fld in schema.fields.items()}
    if kind == "baseline":  # a baseline is not a county's: county fields are not asked for
        for name in ("county_code", "county_name", "source_url", "source_location"):
            declared.pop(name, None)
    return ma.Schema.from_dict(declared, name=f"GkCatalogItem_{kind}")(unknown=ma.EXCLUDE)


def validate_item(item: dict, kind: str = "county") -> dict:
    """{field: [error codes]} for an item dict with the schema's field names; empty when valid."""
    errors = item_validator(kind).validate(item)
    flat = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):  # list fields report per index
            messages = [m for sub in messages.values() for m in sub]
        flat[name] = [m for m in messages]
    return flat
