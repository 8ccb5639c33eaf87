"""Structured-mode routing on the semantic design: prompt, retrieved examples, reply schema, plan, router, turn."""
