"""Runnable examples of craft_tk; ``python -m examples`` opens the launcher."""
