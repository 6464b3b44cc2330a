"""Synthetic data only: demo returns, the demo database and its accounts, scaled databases for
benchmarks.
"""
