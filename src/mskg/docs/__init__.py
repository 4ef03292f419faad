"""HTML documentation of the ontology (``mskg docs``)."""
