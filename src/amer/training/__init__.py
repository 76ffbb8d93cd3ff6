"""Training: the seeded split, spaCy training and assembling the shipped pipeline."""
