"""Waivers: accepted findings, their expiry, and the CI baseline."""
