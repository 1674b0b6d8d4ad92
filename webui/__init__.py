"""The pages people use: Jinja2 templates, static files and page routes."""
