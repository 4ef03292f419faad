"""SPARQL: named queries and their headers, the one read-only guard, parameters, the engine
that runs a query on an rdflib graph, and results with their formats."""
