"""Demo content: the Talent Quest 2026 quest document."""
