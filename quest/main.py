"""ASGI entry point: `uvicorn quest.main:app`."""

from quest.app import create_app

app = create_app()
