"""The game service: app factory, settings, accounts, quests, progress, handoff, CLI."""
