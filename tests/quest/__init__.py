"""Tests of the game service, one folder per domain package."""
