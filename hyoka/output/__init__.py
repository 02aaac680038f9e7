"""Output: findings to pages, machine formats, terminal text and annotated workbooks (stage 4)."""
