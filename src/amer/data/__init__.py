"""Terminology and corpus readers, cleaning, verification and dataset versions."""
