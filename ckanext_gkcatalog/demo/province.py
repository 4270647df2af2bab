"""A synthetic province: fictional counties publishing their catalogs, derived from a baseline, with the
gaps, errors and variety of real county catalogs (see shared/domain/samples). `gkcatalog demo` and the
benchmarks harvest it. Everything is seeded, so the same arguments give the same province.

Counties are fictional (行政区划代码 99xxxx: no real province has 99) and every published file says it is
demo data through its county's name.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..schema import domain_label
from ..writers import EXTENSIONS, write_catalog

CITIES = ["青川市", "云泽市", "金石市", "龙源市", "白溪市", "安平市"]
NAME_HEADS = "青云金龙白安永兴宁丰长清石凤东西南北高平"
NAME_TAILS = "山河水阳川源溪江湖林泉城宁安平"
SUFFIXES = ["县", "县", "县", "区", "市"]
# formats as counties publish them: web pages first, then spreadsheets, Word, the odd CKAN export
FORMAT_WEIGHTS = {"html": 40, "xlsx": 20, "csv": 10, "csv-gbk": 10, "docx": 15, "json": 5}
DEPARTMENTS = {"employment": "人力资源和社会保障局", "social_insurance": "社会保险事业管理局",
               "social_assistance": "民政局", "elderly_care": "民政局"}
DEFAULTS = {"content": "事项名称、办理依据、办理材料、办理流程、办理时限、咨询电话",
            "basis": "《中华人民共和国政府信息公开条例》(国务院令第711号)",
            "time_limit": "信息形成或变更之日起20个工作日内", "channels": ["government_website", "service_center"],
            "audience": ["public"], "mode": ["proactive"], "tiers": ["county", "township"]}
# valid checksums, made up: the kind of personal data a 名单公示 must not carry
ID_NUMBER = "110101199003074514"
MOBILE = "13812345678"


@dataclass
class County:
    code: str
    name: str
    city: str
    quality: float  # 0..1: how carefully this county compiled its catalogs


@dataclass
class Publication:
    county: County
    domain: str
    path: str  # relative to the province's folder
    fmt: str
    items: list  # what the file says, as item dicts
    changes: list = field(default_factory=list)  # what was done to the baseline, for the summary


@dataclass
class Province:
    counties: list
    publications: list


def fictional_counties(n: int, seed: int = 7) -> list[County]:
    rng = random.Random(seed)
    names, counties = set(), []
    while len(counties) < n:
        city_index = len(counties) % len(CITIES)
        name = rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS) + rng.choice(SUFFIXES)
        if name in names or name[:-1] in (c[:-1] for c in CITIES):
            continue
        names.add(name)
        code = f"99{city_index + 1:02d}{len(counties) // len(CITIES) + 1:02d}"
        counties.append(County(code, name, CITIES[city_index], round(rng.betavariate(5, 2), 2)))
    return counties


def baseline_items(baseline) -> list[dict]:
    """A baseline's items as county items: the elements a baseline leaves open filled with what counties write."""
    items = []
    for entry in baseline.items:
        item = {"domain": baseline.domain, "level1": entry.level1, "level2": entry.level2, "level3": entry.level3}
        item.update({k: v for k, v in entry.elements.items() if k != "parsed" and v})
        for key, value in DEFAULTS.items():
            item.setdefault(key, value)
        items.append(item)
    return items


def county_catalog(county: County, domain: str, items: list, rng: random.Random) -> tuple[list, list]:
    """The county's version of the baseline: gaps, edits and errors, more of them the lower its quality."""
    careless = 1 - county.quality
    out, changes = [], []
    department = county.name + DEPARTMENTS.get(domain, "政府办公室")
    for item in items:
        if rng.random() < careless * 0.35:
            changes.append(("gap", item["level2"]))
            continue
        item = dict(item, subject=department, county_code=county.code, county_name=county.name)
        roll = rng.random()
        if roll < careless * 0.15:
            longer = re.sub(r"(\d+)(个工作日)", lambda m: f"{int(m.group(1)) + 10}{m.group(2)}", item["time_limit"])
            if longer != item["time_limit"]:
                item["time_limit"] = longer
                changes.append(("longer_time_limit", item["level2"]))
        elif roll < careless * 0.25:
            item["basis"] = re.sub(r"[((][^()()]*(令|〔|号)[^()()]*[))]", "", item["basis"])
            changes.append(("basis_without_number", item["level2"]))
        elif roll < careless * 0.32:
            item["audience"] = []
            changes.append(("unmarked_audience", item["level2"]))
        elif roll < careless * 0.36:
            item["content"] = f"{item['content']};联系人身份证号{ID_NUMBER},手机{MOBILE}"
            changes.append(("personal_data", item["level2"]))
        elif roll < careless * 0.5:
            item["level2"] = rng.choice(["{}", "{}服务", "办理{}", "{}事项"]).format(item["level2"])
            changes.append(("renamed", item["level2"]))
        elif roll < careless * 0.55:  # what the policy texts' rules find (checks.element_problems)
            item["subject"] = "各相关部门"
            changes.append(("vague_subject", item["level2"]))
        elif roll < careless * 0.6:
            item["basis"] = f"{item['basis']}第十九条"
            changes.append(("basis_cites_article", item["level2"]))
        elif roll < careless * 0.63:
            item["content"] = f"{item['content']};局长办公会议纪要"
            changes.append(("negative_list", item["level2"]))
        out.append(item)
    if out and rng.random() < careless * 0.5:
        extra = dict(out[-1], level2=f"{county.name[:-1]}特色{out[-1]['level1']}事项")
        out.append(extra)
        changes.append(("added", extra["level2"]))
    return out, changes


def build_province(baselines: dict, counties: int = 36, seed: int = 7, formats: dict | None = None) -> Province:
    """`baselines` maps a domain to its items (see baseline_items)."""
    rng = random.Random(seed)
    weights = formats or FORMAT_WEIGHTS
    province = Province(fictional_counties(counties, seed), [])
    for county in province.counties:
        for domain, items in baselines.items():
            catalog, changes = county_catalog(county, domain, items, rng)
            fmt = rng.choices(list(weights), list(weights.values()))[0]
            path = f"{county.code}/{domain}{EXTENSIONS[fmt]}"
            province.publications.append(Publication(county, domain, path, fmt, catalog, changes))
    return province


def write_province(province: Province, folder: Path) -> None:
    for pub in province.publications:
        target = folder / pub.path
        target.parent.mkdir(parents=True, exist_ok=True)
        title = f"{pub.county.name}{domain_label(pub.domain)}领域基层政务公开标准目录"
        target.write_bytes(write_catalog(pub.items, pub.fmt, title, checklist=pub.fmt != "csv-gbk"))


def register_sources(store, province: Province, base_url: str) -> list:
    """The province's source list: one source per county and domain."""
    sources = []
    for county in province.counties:
        store.upsert_county(county.code, county.name, city_name=county.city)
    for pub in province.publications:
        kind = "csv" if pub.fmt.startswith("csv") else pub.fmt
        sources.append(store.add_source(pub.county.code, f"{base_url}/{pub.path}", kind, pub.domain))
    return sources


def synthetic_baselines(per_domain: int, domains: list[str] | None = None) -> dict:
    """{domain: items}: each domain gets `per_domain` items made from the demo baselines' items under new
    names, ten L2 per L1. `domains` defaults to the demo baselines' own four; every domain of the schema
    (26) tries the dashboards at a real province's width."""
    from ..baseline import demo_baseline_files, load_baseline

    templates = [baseline_items(load_baseline(path.read_bytes(), path.name)) for path in demo_baseline_files()]
    wanted = domains or [t[0]["domain"] for t in templates]
    baselines = {}
    for n, domain in enumerate(wanted):
        source = templates[n % len(templates)]
        items = []
        for i in range(per_domain):
            t = source[i % len(source)]
            items.append(dict(t, domain=domain, level1=f"{t['level1']}第{i // 10 + 1}类", level2=f"{t['level2']}第{i + 1}项"))
        baselines[domain] = items
    return baselines


def loaded_baselines(baselines: dict) -> list:
    """synthetic_baselines(...) as Baseline objects, ready for the store (marked as demo data)."""
    import yaml

    from ..baseline import load_baseline

    loaded = []
    for domain, items in baselines.items():
        document = {"gk_baseline": 1, "domain": domain, "demo": True, "title": f"synthetic {domain}",
                    "items": [{k: v for k, v in i.items() if k != "domain"} for i in items]}
        text = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
        loaded.append(load_baseline(text, f"synthetic_{domain}.yaml", declared={"level1": None, "level2": None}))
    return loaded
