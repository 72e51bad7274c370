"""The headless tier: the core on a plain asyncio loop, no display, no engine."""
