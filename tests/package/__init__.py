"""The packaging tier: the wheel installed outside the checkout, CEF set up for another
Python, frozen apps (``python -m tests --package``, under a display)."""
