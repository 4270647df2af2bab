"""What the pages, exports, the command line and CKAN's actions show, with no web framework: the read
models over the score snapshots (dashboard.py), server-rendered SVG charts (charts.py) and CSV/XLSX/JSON
exports that spreadsheets cannot run as formulas (exports.py)."""
