"""ckanext-gkcatalog: grassroots disclosure standard catalogs for CKAN-style provincial portals."""
