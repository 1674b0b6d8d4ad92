"""ASGI entry point: `uvicorn quest.main:app` (and each worker of `serve --workers N`)."""

from quest.app import create_app
from quest.core.procs import die_with_parent

die_with_parent()  # a worker of `serve --workers N` does not outlive it
app = create_app()
