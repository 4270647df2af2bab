"""python -m ckanext_gkcatalog.cli: the gkcatalog command."""
from .main import main

main()
