"""Data files: the catalog-item schema (ckanext-scheming format) and the demo baselines."""
