"""Compare: this year's edition with last year's (E-codes)."""
