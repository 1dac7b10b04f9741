"""Peer comparisons that print ratios (DESIGN.md: benchmarks/)."""
