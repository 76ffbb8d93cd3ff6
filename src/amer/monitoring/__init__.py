"""Service metrics, traffic aggregates and drift detection."""
