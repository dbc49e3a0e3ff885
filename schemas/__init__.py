"""Pandera models: the canonical shape of every sheet of a submission and of the roster.

This package never imports :mod:`pipeline`; the pipeline imports it.
"""
