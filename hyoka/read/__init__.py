"""Read: files (CSV, xlsx) to raw tables of text cells with their places (stage 1)."""
