"""The chat agent: LLM wiring, prompt and tool-calling loop over ``tools``."""
