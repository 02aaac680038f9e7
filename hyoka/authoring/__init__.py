"""Authoring: rule docs, the entry template, `hyoka init`."""
