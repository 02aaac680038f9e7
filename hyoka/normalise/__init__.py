"""Normalise: raw text to typed fields — text, measures, fiscal years, grades, derived fields (stage 2)."""
