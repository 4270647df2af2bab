"""The demo province: fictional counties built from the demo baselines (province.py), published over local
HTTP with their broken sources (publish.py), for `gkcatalog demo`, the tests and the benchmarks."""
