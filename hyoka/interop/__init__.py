"""Interop: hyoka's checks in other tools' forms."""
