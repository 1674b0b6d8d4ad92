"""Shared helpers that belong to no domain: timestamps, background loops, base errors."""
