"""Rehearsal: simulated players driving the real HTTP API, marked so they never reach recruiters."""
