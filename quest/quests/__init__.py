"""Quests and their content: documents, import, caches, staff statistics, the demo."""
