"""hyoka: a rule-based consistency checker for public-sector evaluation tables.

Data flows one way: load → normalise → validate (schemas) → rules → findings → reports.
"""

__version__ = "0.1.0"
