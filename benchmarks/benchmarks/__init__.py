"""asv benchmarks for frontierkit (run ``asv run`` from the ``benchmarks`` folder)."""
