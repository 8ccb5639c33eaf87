"""Typed, validated operations over one merchant's data that the agent and the CLI call: guarded SQL and friends."""
