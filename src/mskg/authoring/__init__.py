"""Authoring: files a researcher starts from (``mskg new``)."""
