"""Benchmarks (`make bench`): slow, never run by the test suite."""
