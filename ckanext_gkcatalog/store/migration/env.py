"""Alembic environment for the gkcatalog tables.

Run by the store (which passes its connection in config.attributes) and by CKAN, which sets
sqlalchemy.url. The version table is named after the plugin, as CKAN does for extensions, so the
tables can share CKAN's database.
"""
from alembic import context
from sqlalchemy import engine_from_config, pool

from ckanext_gkcatalog.store.models import VERSION_TABLE, Base

config = context.config
target_metadata = Base.metadata


def include_name(name, type_, parent_names):
    # in a shared database (CKAN's) only our own tables are ours to compare
    return type_ != "table" or name.startswith("gk_")


def _configure(**kwargs):
    context.configure(target_metadata=target_metadata, version_table=VERSION_TABLE, render_as_batch=True,
                      include_name=include_name, compare_type=True, **kwargs)


if context.is_offline_mode():
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                    poolclass=pool.NullPool)
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    else:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
