"""Assessment on SQLite and PostgreSQL: items matched and checked at import, one snapshot per county and
domain when a harvest lands, declared N/A items and manual mappings, a new baseline version, and the trend."""
from ckanext_gkcatalog.assess import assess, assess_pending, matchers
from ckanext_gkcatalog.harvesters.pipeline import HarvestSettings, harvest
from ckanext_gkcatalog.normalize import parse_basis
from ckanext_gkcatalog.writers import write_catalog

from support import SETTINGS


def test_a_harvest_lands_with_matches_a_snapshot_and_findings(store, county_site):
    source = store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")
    (report,) = harvest(store, [source], SETTINGS)
    assert report.status == "finished"
    items = store.items("990101")
    assert {i.match_method for i in items} == {"exact"} and all(i.baseline_code for i in items)
    (snapshot,) = store.latest_snapshots()
    total = len(county_site.baseline.items)
    assert snapshot.job_id == report.job_id and snapshot.details["missing"] == 1
    assert snapshot.coverage == round((total - 1) / total, 4) and snapshot.freshness == 1.0
    rules = [f.rule for f in store.current_findings("990101", "social_assistance", snapshot.id)]
    unnumbered = [i for i in county_site.items if not any(d["number"] for d in parse_basis(i["basis"]))]
    assert sorted(set(rules)) == ["basis_without_number", "personal_mobile"]  # 政策法规文件 under two L1: no duplicate
    assert rules.count("basis_without_number") == len(unnumbered) > 0 and rules.count("personal_mobile") == 1
    # the first baseline item does not apply to this county: not a gap any more
    first = store.baseline("social_assistance").items[0]
    store.add_decision("990101", "social_assistance", first.code, "not_applicable", reason="本地未开展")
    (again,) = assess(store, [("990101", "social_assistance")])
    newest = store.latest_snapshots()[0]
    assert newest.id == again.snapshot_id and newest.coverage == 1.0 and newest.details["not_applicable"] == 1
    assert [s.id for s in store.snapshot_history("990101", "social_assistance")] == [snapshot.id, newest.id]
    assert store.snapshot_findings(snapshot.id) == []  # only the newest snapshot keeps its findings


def test_a_manual_mapping_overrides_matching(store, county_site):
    source = store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    item = store.items("990101")[0]
    target = store.baseline("social_assistance").items[0].code  # the missing one
    store.add_decision("990101", "social_assistance", target, "mapping", item_id=item.id, decided_by="admin")
    assess(store, [("990101", "social_assistance")])
    moved = next(i for i in store.items("990101") if i.id == item.id)
    assert (moved.baseline_code, moved.match_method, moved.match_score) == (target, "manual", 100.0)


def test_items_are_assessed_at_import_and_again_for_a_new_baseline_version(store, county_site):
    source = store.add_source("990101", f"{county_site.url}/sa.html", "html", "social_assistance")
    (report,) = harvest(store, [source], HarvestSettings(SETTINGS.limits, workers=1, assess=False))
    assert "match" in store.job(report.job_id).timings and store.latest_snapshots() == []
    first = store.baseline("social_assistance")
    items = store.items("990101")
    assert {i.baseline_id for i in items} == {first.id} and all(i.filled == 1.0 for i in items)
    phoned = [i for i in items if i.errors]
    assert [[c["rule"] for c in i.checks if c["severity"] == "error"] for i in phoned] == [["personal_mobile"]]
    assert assess_pending(store, store.county_domains(), matchers(store)) == 0  # nothing left to match
    store.add_baseline(county_site.baseline)  # version 2, activated: every item is matched again against it
    (done,) = assess(store)
    second = store.baseline("social_assistance")
    assert second.id != first.id and {i.baseline_id for i in store.items("990101")} == {second.id}
    assert store.latest_snapshots()[0].baseline_id == second.id and done.score > 0


def test_an_item_listed_twice_is_a_county_finding(store, county_site):
    listed = county_site.items + [dict(county_site.items[3], level2=f"“{county_site.items[3]['level2']}”")]
    (county_site.root / "twice.html").write_bytes(write_catalog(listed, "html", "青山县社会救助目录"))
    source = store.add_source("990101", f"{county_site.url}/twice.html", "html", "social_assistance")
    harvest(store, [source], SETTINGS)
    (snapshot,) = store.latest_snapshots()
    doubles = [f for f in store.snapshot_findings(snapshot.id) if f.rule == "duplicate_name"]
    assert len(doubles) == 1 and doubles[0].item_id and doubles[0].severity == "warning"
    assert snapshot.details["items"] == len(listed) and snapshot.details["warnings"] == \
        1 + sum(i.warnings for i in store.items("990101"))
