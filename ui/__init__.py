"""What people touch: the ``salescast`` command line, and later the Gradio app and reports."""
