"""Saved workspaces, scenarios and share links in one DuckDB file.

``file`` opens (and recovers) the store and holds its one all-or-nothing write; ``workspaces``
saves, lists, deletes and shows a workspace's rows; ``scenarios`` keeps every revision of the
what-if settings, which ``settings`` turns to JSON and back; ``share`` hands out read-only links.
"""
