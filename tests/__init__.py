"""The test suite: mirrors the packages; shared helpers live in `tests.support`."""
