"""The demo Talent Quest (a quest document) and its loader."""
