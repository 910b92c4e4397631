"""Benchmarks at province scale (issue #10): `make bench`, never part of `make test`. See bench/README.md."""
