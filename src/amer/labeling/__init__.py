"""Weak labels: lexicon sources (EntityRuler-style span rulers), inflection, aggregation."""
