"""Importers: one module per outside source, each writing Turtle under ``graph/imports/``."""
