"""Performance benchmarks at 100,000 people: `python -m benchmarks` (see run.py). Not tests."""
