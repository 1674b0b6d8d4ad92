"""Playing a quest: gates, attempts, hints and booth check-ins."""
