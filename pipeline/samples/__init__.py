"""Fictional sample data: names, submissions, the fault catalogue, the demo inbox and the benchmark.

No product module imports this package.
"""
