"""`pip install .` ships one namespace: the folders schemas/, harvesters/ and i18n/ live inside
ckanext_gkcatalog, so an environment that installed only the package cannot `import schemas`."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(ROOT)], check=True, timeout=300)
    (path,) = out.glob("ckanext_gkcatalog-*.whl")
    return path


def test_wheel_has_one_top_level_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"ckanext_gkcatalog"}
    for needed in ("ckanext_gkcatalog/schemas/gk_catalog_item.yaml",
                   "ckanext_gkcatalog/schemas/baselines/demo_employment.yaml",
                   "ckanext_gkcatalog/harvesters/tables.py",
                   "ckanext_gkcatalog/store/migration/alembic.ini",
                   "ckanext_gkcatalog/store/migration/env.py",
                   "ckanext_gkcatalog/store/migration/versions/0001_initial_tables.py",
                   "ckanext_gkcatalog/web/templates/gkcatalog/overview.html",
                   "ckanext_gkcatalog/web/static/gkcatalog/style.css",
                   "ckanext_gkcatalog/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-gkcatalog.po",
                   "ckanext_gkcatalog/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-gkcatalog.mo",  # compiled at build
                   "ckanext_gkcatalog/i18n/en/LC_MESSAGES/ckanext-gkcatalog.mo"):
        assert needed in names


def test_the_installed_package_reads_its_own_compiled_translations(wheel, tmp_path):
    """An installed package translates from the .mo files in it, compiling nothing at start-up."""
    import gettext
    import io

    with zipfile.ZipFile(wheel) as archive:
        mo = archive.read("ckanext_gkcatalog/i18n/zh_Hans_CN/LC_MESSAGES/ckanext-gkcatalog.mo")
    catalog = gettext.GNUTranslations(io.BytesIO(mo))
    assert catalog.gettext("Province overview") == "全省概览" and catalog.gettext("Usage:") == "用法:"


def test_clean_virtualenv_cannot_import_generic_modules(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    probe = ("import importlib.resources as r, importlib.util as u\n"
             "print(u.find_spec('ckanext_gkcatalog.harvesters') is not None)\n"
             "print(r.files('ckanext_gkcatalog.schemas').joinpath('gk_catalog_item.yaml').is_file())\n"
             "import ckanext_gkcatalog.i18n as i\n"
             "print(i.compiled_dir() == str(r.files('ckanext_gkcatalog.i18n')))\n")
    shown = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert shown.stdout.split() == ["True", "True", "True"], shown.stderr  # its own .mo files, no cache
    for generic in ("schemas", "harvesters", "i18n"):
        result = subprocess.run([str(python), "-c", f"import {generic}"], capture_output=True, text=True,
                                cwd=tmp_path, env=env)
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr
