"""The policy domains: schemas/domains.yaml (the 26 pilot domains), and the province's own from the file
GKCATALOG_DOMAINS names, without a code change. Every page, facet, template and check asks the schema's
domain field (schema.load_schema), which takes its choices from here; inside CKAN ckanext-scheming asks too,
through the gkcatalog_domain_choices helper.
"""
from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path

import yaml

CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
MAX_DOMAINS = 500
MAX_FILE_BYTES = 1024 * 1024


class DomainFileError(ValueError):
    """A province domain file that cannot be used: what is wrong and where, in zh and en."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def province_file() -> str | None:
    return os.environ.get("GKCATALOG_DOMAINS") or None


def domain_entries() -> list[dict]:
    """[{code, label: {zh_Hans_CN, en}, aliases: [...], declared: {...}, own: bool}]: the shipped domains in
    file order, then the province's new ones; a province entry with a shipped code amends that domain."""
    shipped = resources.files("ckanext_gkcatalog.schemas").joinpath("domains.yaml").read_text(encoding="utf-8")
    entries = {e["code"]: e for e in _entries(shipped, "domains.yaml")}
    path = province_file()
    if path:
        for entry in _entries(_read(path), Path(path).name, set(entries)):
            known = entries.get(entry["code"])
            if known:
                entry = {**known, "label": {**known["label"], **entry["label"]},
                         "aliases": [*known["aliases"], *entry["aliases"]], "declared": entry["declared"] or known["declared"]}
            entries[entry["code"]] = {**entry, "own": known is None or known.get("own", False)}
    for entry in entries.values():  # an English name the file left out: the code, readable
        entry["label"].setdefault("en", entry["code"].replace("_", " ").capitalize())
    return list(entries.values())


def _read(path: str) -> str:
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise DomainFileError(f"领域文件 {path} 过大({size} 字节,上限 {MAX_FILE_BYTES})",
                                  f"domain file {path} is too large ({size} bytes, at most {MAX_FILE_BYTES})")
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DomainFileError(f"无法读取领域文件 {path}:{exc.strerror or exc}",
                              f"cannot read the domain file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DomainFileError(f"领域文件 {path} 不是 UTF-8 文本", f"domain file {path} is not UTF-8 text") from None


def _entries(text: str, name: str, known: frozenset | set = frozenset()) -> list[dict]:
    """The entries of one domain file; `known`: codes already defined, which an entry may amend unlabelled."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where_zh, where_en = (f"第{line + 1}行", f"line {line + 1}") if line is not None else ("", "")
        raise DomainFileError(f"领域文件 {name} {where_zh}不是有效的 YAML", f"domain file {name}: {where_en} is not valid YAML")
    raw = doc.get("domains") if isinstance(doc, dict) else None
    if not isinstance(raw, list) or not raw:
        raise DomainFileError(f"领域文件 {name} 缺少 domains 列表", f"domain file {name} has no list under domains:")
    if len(raw) > MAX_DOMAINS:
        raise DomainFileError(f"领域文件 {name} 的领域过多(上限 {MAX_DOMAINS})",
                              f"domain file {name} lists too many domains (at most {MAX_DOMAINS})")
    seen, found = set(), []
    for n, entry in enumerate(raw, start=1):
        found.append(_entry(entry, name, n, seen, known))
    return found


def _entry(entry, name: str, n: int, seen: set, known) -> dict:
    def refuse(zh: str, en: str):
        raise DomainFileError(f"领域文件 {name},第{n}个领域:{zh}", f"domain file {name}, domain {n}: {en}")

    if not isinstance(entry, dict):
        refuse("应为含 code、label 的条目", "should be an entry with code and label")
    code = str(entry.get("code") or "").strip()
    if not CODE.match(code):
        refuse(f"代码“{code}”须为小写字母开头的字母、数字或下划线", f"code '{code}' must be lower-case letters, digits or _, "
               "starting with a letter")
    if code in seen:
        refuse(f"代码“{code}”重复", f"code '{code}' is listed twice")
    seen.add(code)
    label = entry.get("label") or {}
    label = {"zh_Hans_CN": label} if isinstance(label, str) else label
    zh = str(label.get("zh_Hans_CN") or label.get("zh") or "").strip() if isinstance(label, dict) else ""
    if not zh and (code not in known or not isinstance(label, dict)):
        refuse(f"“{code}”缺少中文名称(label: {{zh_Hans_CN: …}})", f"'{code}' has no Chinese label (label: {{zh_Hans_CN: …}})")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        refuse("aliases 应为名称列表", "aliases should be a list of names")
    declared = entry.get("declared") or {}
    if not isinstance(declared, dict) or any(k not in ("level1", "level2") or not isinstance(v, int)
                                              for k, v in declared.items()):
        refuse("declared 应为 {level1: 数目, level2: 数目}", "declared should be {level1: count, level2: count}")
    return {"code": code, "label": {**({"zh_Hans_CN": zh} if zh else {}),
                                    **({"en": str(label["en"]).strip()} if label.get("en") else {})},
            "aliases": [str(a).strip() for a in aliases if str(a).strip()], "declared": declared, "own": False}

