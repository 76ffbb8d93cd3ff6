"""HTTP routes of the inference service; each parses, calls the scorer, formats."""
