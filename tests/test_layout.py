"""The package's layout holds: rooms by layer that import only downwards, no import circles, files under
400 lines, commands that need no store never import SQLAlchemy or Flask, and the import paths that users
and CKAN rely on still resolve."""
import ast
import json
import subprocess
import sys
from importlib import metadata, resources, util
from pathlib import Path

import pytest

from ckanext_gkcatalog.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ckanext_gkcatalog"
# the folders setup.py maps into the package
FOLDERS = {PACKAGE: ROOT / PACKAGE, f"{PACKAGE}.harvesters": ROOT / "harvesters", f"{PACKAGE}.i18n": ROOT / "i18n"}
MAX_LINES = 400

# which rooms each room may import; "core" is the domain core at the package root
ALLOWED = {
    "core": {"core", "harvesters"},  # baselines and source lists are read with the table readers
    "harvesters": {"core", "harvesters"},
    "store": {"store"},
    "reports": {"core", "reports"},
    "demo": {"core", "demo"},
    "search": {"core", "search"},  # it is handed the store; only store/search.py writes SQL for it
    "web": {"core", "store", "reports", "search", "harvesters", "i18n", "web"},
    "cli": {"core", "store", "reports", "search", "harvesters", "demo", "web", "i18n", "cli"},
    "ckan": {"core", "store", "reports", "search", "harvesters", "i18n", "web", "cli", "ckan"},
    "i18n": {"i18n"},
}
FRAMEWORKS = ("flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug", "waitress", "sqlalchemy", "alembic", "ckan",
              "ckanext")


def modules() -> dict:
    """{module name: source path} of every module of the package, as installed."""
    found = {}
    for prefix, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join((prefix, *parts))
            found[name] = path
    return found


MODULES = modules()


def imports(name: str, path: Path) -> set:
    """Every module `name` imports, at the top or inside a function (absolute names)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # `from . import x` imports the module x when there is one
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


def room(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and f"{PACKAGE}.{parts[1]}" not in _PACKAGES):
        return "core"
    return parts[1]


_PACKAGES = {n for n, p in MODULES.items() if p.name == "__init__.py"}
GRAPH = {name: {i for i in imports(name, path) if i in MODULES and i != name} for name, path in MODULES.items()}


def test_the_rooms_import_only_what_their_layer_may():
    wrong = [(name, target) for name, targets in GRAPH.items() for target in targets
             if room(target) not in ALLOWED[room(name)]]
    assert not wrong


def test_no_import_circles():
    """Tarjan's strongly connected components over the module graph: every component is one module."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not circles


def test_the_domain_core_and_the_readers_use_no_web_database_or_ckan_framework():
    used = {(name, i.split(".")[0]) for name, path in MODULES.items() if room(name) in ("core", "harvesters", "reports")
            for i in imports(name, path)}
    assert not [(name, lib) for name, lib in used if lib in FRAMEWORKS]


def test_every_module_is_under_400_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


PROBE = """
import json, sys
from ckanext_gkcatalog.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    frameworks = sorted({m.split(".")[0] for m in sys.modules} & {"sqlalchemy", "flask", "werkzeug", "alembic", "ckan"})
    print(json.dumps(frameworks), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["parse", "{data}/si_catalog_two_row_header.csv", "--format", "json"],
                                  ["parse", "--help"]], ids=["parse", "parse-help"])
def test_commands_without_a_store_import_no_database_or_web_framework(args, data_dir, tmp_path):
    args = [a.replace("{data}", str(data_dir)) for a in args]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [], done.stderr
    assert done.stdout  # the command did its work


def test_public_import_paths():
    """What users and CKAN name in their configuration: the console script, the plugins and the schema."""
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "gkcatalog"]
    assert script.value == f"{PACKAGE}.cli:main" and script.load() is main
    plugins = {e.name: e.value for e in metadata.entry_points(group="ckan.plugins") if e.value.startswith(PACKAGE)}
    assert plugins == {"gkcatalog": f"{PACKAGE}.ckan.plugin:GkCatalogPlugin",
                       "gkcatalog_harvest": f"{PACKAGE}.ckan.harvest_plugin:GkCatalogHarvester"}
    for value in plugins.values():  # loading them needs CKAN: tests/ckan does; here their classes are defined
        module, cls = value.split(":")
        source = Path(util.find_spec(module).origin).read_text(encoding="utf-8")
        assert cls in {n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)}
    # scheming.dataset_schemas = ckanext_gkcatalog.schemas:gk_catalog_item.yaml
    assert resources.files(f"{PACKAGE}.schemas").joinpath("gk_catalog_item.yaml").is_file()
    assert resources.files(f"{PACKAGE}.store.migration").joinpath("alembic.ini").is_file()
