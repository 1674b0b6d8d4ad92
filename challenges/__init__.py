"""Challenge kinds, answer checking, scoring policies and attempts."""
