"""The blueprint's views, one module per audience; blueprint.py gives each its URL."""
