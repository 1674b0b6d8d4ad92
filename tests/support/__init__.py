"""Helpers shared by tests (never import from a conftest or another test module)."""
