"""Check: schemas, the rule language and catalog, findings and the code registry (stage 3)."""
