"""The item checks' cost: `checks.check_item` (every item check, run at harvest, by `gkcatalog check` and on the
county page) against its part for the policy texts' rules (`checks.element_problems`: the negative list, the
element rules), measured in the same run on items whose contents all differ (the worst case: repeated texts
are cached).

    python bench/checks_bench.py [--items 20000]
"""
from __future__ import annotations

import argparse
import statistics
import time

from ckanext_gkcatalog.assess import Matcher
from ckanext_gkcatalog.baseline import demo_baseline_files, load_baseline
from ckanext_gkcatalog.checks import check_item, element_problems
from ckanext_gkcatalog.demo.province import baseline_items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = next(p for p in demo_baseline_files() if p.name == "demo_social_assistance.yaml")
    baseline = load_baseline(path.read_bytes(), path.name)
    matcher = Matcher.of(baseline)
    base, codes = [dict(i, subject="青山县民政局") for i in baseline_items(baseline)], [e.code for e in baseline.items]
    measured = {"check_item (all item checks)": lambda item, code: check_item(item, matcher.by_code[code]),
                "element_problems (policy rules)": lambda item, code: element_problems(item, matcher.by_code[code],
                                                                                       lambda *a, **k: None)}
    times: dict = {name: [] for name in measured}
    for run in range(args.runs):
        for name, check in measured.items():  # fresh texts each time: no cache helps
            items = [({"fields": dict(base[n % len(base)], content=f"{base[n % len(base)]['content']}{run}-{n}"),
                       "parsed": {}, "location": {}}, codes[n % len(codes)]) for n in range(args.items)]
            started = time.perf_counter()
            for item, code in items:
                check(item, code)
            times[name].append((time.perf_counter() - started) * 1e6 / args.items)
    widest = max(statistics.median(v) for v in times.values())
    print(f"{args.items} items with distinct contents, median of {args.runs} runs\n")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<34} {median:6.1f} µs/item  {'█' * round(40 * median / widest)}")


if __name__ == "__main__":
    main()
