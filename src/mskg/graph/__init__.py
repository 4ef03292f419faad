"""Reading the graph: the one loader, its format table and input checks, the parse cache, and
views of a loaded graph (the subclass walk, statistics, differences, the networkx view)."""
