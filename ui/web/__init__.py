"""The Gradio web app: sign-in per merchant, streaming chat with tool steps, charts and report downloads."""
