"""Saved workspaces, scenarios and share links in one DuckDB file."""
