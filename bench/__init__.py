"""craft_tk's benchmarks: ``python -m bench --engine cef|tkhtml`` (``make bench`` runs both)."""
