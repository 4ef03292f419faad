"""Validation of a graph folder (``mskg validate``): syntax, terms, literals and SHACL."""
