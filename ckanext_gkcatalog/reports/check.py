"""A checker report (checker.CheckReport) as text for a terminal, as JSON, and as HTML: a self-contained file
from `gkcatalog check --format html`, and the same body inside the portal's /check page. zh or en.
"""
from __future__ import annotations

import json
from dataclasses import replace

from ..items import level_path
from ..problems import ERROR, WARNING
from ..schema import domain_label
from ..scoring import RATING_LABELS, WEIGHTS

LABELS = {  # key -> (zh, en)
    "title": ("目录检查报告", "Catalog check report"),
    "summary": ("{items} 个事项,{errors} 个错误,{warnings} 个警告",
                "{items} items, {errors} errors, {warnings} warnings"),
    "verdict_ok": ("未发现错误,可以发布", "No errors found: ready to publish"),
    "verdict_errors": ("发现错误,请修改后再发布", "Errors found: correct them before publishing"),
    "verdict_unreadable": ("无法读取文件", "The file cannot be read"),
    "problems": ("问题", "Problems"),
    "no_problems": ("没有问题", "No problems"),
    "severity": ("级别", "Severity"), "where": ("位置", "Where"), "what": ("问题", "Problem"),
    "error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "note"),
    "domain": ("领域", "Domain"),
    "baseline": ("对照基准目录第 {version} 版,{items} 个事项", "against baseline version {version}, {items} items"),
    "coverage_line": ("已有 {present} 项,缺少 {missing} 项,声明不适用 {not_applicable} 项,新增 {additions} 项(其中 {overlapping} 项与基准事项重叠)",
                      "{present} present, {missing} missing, {not_applicable} declared not applicable, {additions} added ({overlapping} overlapping a baseline item)"),
    "missing": ("缺少的基准事项", "Baseline items missing"),
    "not_applicable": ("声明不适用的基准事项", "Baseline items declared not applicable"),
    "additions": ("新增事项", "Added items"),
    "overlaps": ("与基准事项“{name}”重叠", "overlaps the baseline item '{name}'"),
    "row": ("第{row}行", "row {row}"),
    "score": ("省级评分", "The province's score"),
    "score_line": ("{score} 分({rating})", "{score} points ({rating})"),
    "dimension": ("维度", "Dimension"), "value": ("得分率", "Share"), "weight": ("权重", "Weight"),
    "coverage": ("覆盖率", "Coverage"), "completeness": ("要素完整度", "Completeness"),
    "compliance": ("合规度", "Compliance"), "freshness": ("时效性(按今日发布计)", "Freshness (as if published today)"),
}


def say(key: str, lang: str, **params) -> str:
    zh, en = LABELS[key]
    return (zh if lang == "zh" else en).format(**params)


def problem_line(problem, lang: str, file: str | None = None) -> tuple[str, str]:
    """(where, what) of a problem; the file is left out when it is the report's own."""
    where = problem.location
    if file and where.file == file:
        where = replace(where, file=None)
    return where.describe(lang), problem.text(lang)


def item_name(entry: dict) -> str:
    return level_path(entry)


def verdict(report) -> str:
    return "verdict_unreadable" if report.unreadable else "verdict_errors" if report.errors else "verdict_ok"


def render_text(report, lang: str = "zh") -> str:
    marks = {ERROR: "✗", WARNING: "!", "info": "·"}
    lines = [f"{say('title', lang)}: {report.file}",
             say("summary", lang, items=report.items, errors=report.errors, warnings=report.warnings),
             say(verdict(report), lang), ""]
    for problem in report.problems:
        where, what = problem_line(problem, lang, report.file)
        lines.append(f"{marks[problem.severity]} {where + (':' if lang == 'zh' else ': ') if where else ''}{what}")
    for section in report.domains:
        lines += ["", f"{say('domain', lang)} {domain_label(section.domain, lang)}: "
                      f"{say('baseline', lang, version=section.baseline['version'], items=section.baseline['items'])}",
                  "  " + coverage_line(section, lang)]
        for key in ("missing", "not_applicable"):
            if getattr(section, key):
                lines.append(f"  {say(key, lang)}:")
                lines += [f"    - {item_name(e)}" for e in getattr(section, key)]
        if section.additions:
            lines.append(f"  {say('additions', lang)}:")
            lines += [f"    - {addition_text(a, lang)}" for a in section.additions]
        score = section.score
        lines.append(f"  {say('score', lang)}: {score_text(score, lang)}")
        lines += [f"    {say(name, lang)} {getattr(score, name):.0%} × {weight}" for name, weight in WEIGHTS.items()]
    return "\n".join(lines) + "\n"


def coverage_line(section, lang: str) -> str:
    return say("coverage_line", lang, present=len(section.present), missing=len(section.missing),
               not_applicable=len(section.not_applicable), additions=len(section.additions),
               overlapping=sum(1 for a in section.additions if a["overlaps"]))


def addition_text(addition: dict, lang: str) -> str:
    text = item_name(addition)
    if addition.get("row"):
        text = f"{say('row', lang, row=addition['row'])} {text}"
    if addition.get("overlaps"):
        text += f"({say('overlaps', lang, name=addition['overlaps'])})" if lang == "zh" \
            else f" ({say('overlaps', lang, name=addition['overlaps'])})"
    return text


def score_text(score, lang: str) -> str:
    zh, en = RATING_LABELS[score.rating]
    return say("score_line", lang, score=score.score, rating=zh if lang == "zh" else en)


def render_json(report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def render_html(report, lang: str = "zh", whole_page: bool = True) -> str:
    """The report as HTML: a page of its own (styles inline, nothing fetched), or the body for a page."""
    from jinja2 import Environment, PackageLoader, select_autoescape  # only for this format: not at start-up

    environment = Environment(loader=PackageLoader("ckanext_gkcatalog.reports", "templates"),
                              autoescape=select_autoescape(default=True))
    return environment.get_template("check_report.html").render(
        report=report, lang=lang, whole_page=whole_page, say=say, problem_line=problem_line,
        domain_name=domain_label, item_name=item_name, verdict=verdict(report), coverage_line=coverage_line,
        addition_text=addition_text, score_text=score_text, weights=WEIGHTS)
