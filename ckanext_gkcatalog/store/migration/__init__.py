"""Migrations of the gkcatalog tables."""
