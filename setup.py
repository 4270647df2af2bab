"""Packaging for ckanext-gkcatalog.

The top-level folders schemas/, harvesters/ and i18n/ are mapped into the ckanext_gkcatalog package,
so an installed environment gains one namespace only: `import schemas` or `import harvesters` fail.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PACKAGE = "ckanext_gkcatalog"


class BuildWithTranslations(build_py):
    """Compiles every i18n/<locale>/LC_MESSAGES/*.po into its .mo inside the build, so an installed package
    ships its translations ready (nothing is compiled at start-up, in a folder another user may own)."""

    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        target_root = Path(self.build_lib) / PACKAGE / "i18n"
        for po in Path("i18n").glob("*/LC_MESSAGES/*.po"):
            mo = target_root / po.relative_to("i18n").with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with open(po, "rb") as source, open(mo, "wb") as out:
                write_mo(out, read_po(source, locale=po.parts[1]))

setup(
    name="ckanext-gkcatalog",
    version="0.1.0",
    description="Grassroots disclosure standard catalogs (基层政务公开标准目录) for CKAN-style provincial portals",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=[
        PACKAGE,
        *(f"{PACKAGE}.{room}" for room in ("store", "store.migration", "store.migration.versions", "web",
                                            "web.views", "ckan", "cli", "demo", "reports", "search")),
        f"{PACKAGE}.harvesters",
        f"{PACKAGE}.schemas",
        f"{PACKAGE}.i18n",
    ],
    package_dir={
        PACKAGE: PACKAGE,
        f"{PACKAGE}.harvesters": "harvesters",
        f"{PACKAGE}.schemas": "schemas",
        f"{PACKAGE}.i18n": "i18n",
    },
    package_data={
        f"{PACKAGE}.schemas": ["*.yaml", "baselines/*.yaml"],
        f"{PACKAGE}.store.migration": ["alembic.ini", "script.py.mako"],
        f"{PACKAGE}.i18n": ["*/LC_MESSAGES/*.po", "*.pot"],
        f"{PACKAGE}.web": ["templates/gkcatalog/*.html", "templates/scheming/*/*.html", "templates/snippets/*.html",
                           "static/gkcatalog/*"],
        f"{PACKAGE}.ckan": ["solr/schema.xml"],
        f"{PACKAGE}.reports": ["templates/*.html"],
    },
    install_requires=[
        "SQLAlchemy>=1.4.52,<3",  # 2.x standalone; 1.4 inside CKAN 2.11
        "alembic>=1.13",
        "marshmallow>=3.20",
        "click>=8.1",
        "PyYAML>=6",
        "OpenCC>=1.1.9",
        "openpyxl>=3.1",
        "python-calamine>=0.2",
        "charset-normalizer>=3",
        "requests>=2.31",
        "ckanapi>=4.7",
        "rapidfuzz>=3.0",
        "python-stdnum>=1.19",
        "Flask>=3.0",
        "Flask-Babel>=4.0",
        "Flask-Login>=0.6",
        "Flask-WTF>=1.2",
        "Flask-Limiter>=3.5",
        "Babel>=2.14",
        "waitress>=3.0",
        "lxml>=5",
        "python-docx>=1.1",
        "cairosvg>=2.7",  # the circular's charts: the dashboards' SVG as PNG (needs Debian's libcairo2)
        "numpy>=1.24",  # the search's facet counters
        "luqum>=0.13",  # Solr/Lucene filter syntax of package_search's fq
    ],
    cmdclass={"build_py": BuildWithTranslations},
    extras_require={
        "postgresql": ["psycopg[binary]>=3.1"],
        "queue": ["rq>=2.3,<4", "redis>=5"],  # harvest --queue and worker (not inside CKAN, whose own rq is pinned)
        # xlwt writes the legacy .xls fixtures
        "test": ["pytest>=8", "psycopg[binary]>=3.1", "xlwt>=1.3", "playwright>=1.45", "aiosmtpd>=1.4",
                 "rq>=2.3,<4", "redis>=5"],
    },
    entry_points={
        "console_scripts": ["gkcatalog = ckanext_gkcatalog.cli:main"],
        "ckan.plugins": ["gkcatalog = ckanext_gkcatalog.ckan.plugin:GkCatalogPlugin",
                         "gkcatalog_harvest = ckanext_gkcatalog.ckan.harvest_plugin:GkCatalogHarvester"],
    },
)
