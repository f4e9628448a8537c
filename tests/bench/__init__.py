"""Tests of the benchmarks in bench/: each runs to the end and prints its table."""
