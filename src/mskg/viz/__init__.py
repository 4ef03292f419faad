"""The interactive HTML graph (``mskg viz``): what to draw, how it looks, where nodes go, and the
self-contained page."""
