"""Accounts, passwords and bearer tokens; who may do what."""
