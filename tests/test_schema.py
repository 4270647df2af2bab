"""The scheming YAML is the single source of truth, and item validation is built from it."""
from importlib import resources

import yaml

from ckanext_gkcatalog import schema as sch

ISSUE_FIELDS = ["domain", "level1", "level2", "level3", "content", "basis", "time_limit", "subject", "channels",
                "audience", "mode", "tiers", "county_code", "county_name", "department", "person", "source_url"]


def _yaml():
    text = resources.files("ckanext_gkcatalog.schemas").joinpath("gk_catalog_item.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def test_yaml_is_a_scheming_dataset_schema():
    raw = _yaml()
    assert raw["scheming_version"] == 2
    assert raw["dataset_type"] == "gk-catalog-item"
    names = [f["field_name"] for f in raw["dataset_fields"]]
    assert names[:3] == ["title", "name", "owner_org"]  # CKAN's own fields, with scheming presets
    assert [f["preset"] for f in raw["dataset_fields"][:3]] == ["title", "dataset_slug", "dataset_organization"]
    assert set(ISSUE_FIELDS) <= set(names)
    assert raw["resource_fields"]


def test_every_field_and_choice_has_chinese_and_english_labels():
    for spec in _yaml()["dataset_fields"]:
        assert set(spec["label"]) == {"zh_Hans_CN", "en"}, spec["field_name"]
        if "help_text" in spec:
            assert set(spec["help_text"]) == {"zh_Hans_CN", "en"}, spec["field_name"]
        for choice in spec.get("choices", []):
            assert choice["label"]["zh_Hans_CN"] and choice["label"]["en"], choice["value"]


def test_vocabularies_come_from_the_yaml():
    schema = sch.load_schema()
    assert len(schema.field("domain").choices) == 26
    assert [c.label() for c in schema.field("channels").choices][:2] == ["政府网站", "政府公报"]
    assert len(schema.field("channels").choices) == 13
    assert schema.field("mode").lookup("依申请公开") == "on_request"
    assert schema.field("tiers").lookup("乡镇级") == "township"
    assert schema.domain("社会救助及福利") == "social_assistance"
    assert schema.field("domain").choice("employment").declared == {"level1": 9, "level2": 25}
    assert schema.field("channels").multiple and schema.field("channels").open_choices


def test_validator_fields_are_the_yaml_fields():
    county = sch.item_validator("county")
    assert set(county.fields) == set(sch.load_schema().field_names)
    required = {n for n, f in county.fields.items() if f.required}
    assert required == {f["field_name"] for f in _yaml()["dataset_fields"] if f.get("gk_required") in ("county", "both")}
    baseline = sch.item_validator("baseline")
    assert {n for n, f in baseline.fields.items() if f.required} == {"domain", "level1", "level2"}
    assert "county_code" not in baseline.fields


def valid_item(**changes):
    item = {"domain": "employment", "level1": "就业信息服务", "level2": "岗位信息发布", "content": "1.招聘单位",
            "basis": "《就业促进法》", "time_limit": "公开事项信息形成或变更之日起20个工作日内公开", "subject": "乡镇人民政府",
            "channels": ["government_website", "党群服务中心"], "audience": ["public"], "mode": ["proactive"],
            "tiers": ["county", "township"], "county_code": "530581", "county_name": "腾冲市"}
    item.update(changes)
    return item


def test_a_valid_item_passes_and_local_channels_are_allowed():
    assert sch.validate_item(valid_item()) == {}


def test_validation_errors_are_codes_per_field():
    errors = sch.validate_item(valid_item(mode=["proactive", "sometimes"], level2="", county_code="5305",
                                          domain="astrology", tiers=None))
    assert errors == {"mode": ["vocabulary:sometimes"], "level2": ["required"], "county_code": ["pattern"],
                      "domain": ["vocabulary:astrology"], "tiers": ["required"]}


def test_baseline_items_need_only_names_and_domain():
    assert sch.validate_item({"domain": "employment", "level1": "就业信息服务", "level2": "岗位信息发布"}, "baseline") == {}
    assert sch.validate_item({"domain": "employment", "level1": "就业信息服务"}, "baseline") == {"level2": ["required"]}
