"""Evaluation: entity and token metrics, bootstrap confidence intervals, gates, reports."""
