"""Alembic migrations of the store, in the layout CKAN expects of an extension (migration/<plugin>/)."""
