"""craft_tk's test suite: ``python -m tests --engine cef|tkhtml`` runs it on one engine."""
