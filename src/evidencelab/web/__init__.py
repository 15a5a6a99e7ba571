"""The web workbench: a FastAPI app with server-rendered pages and a JSON API over a case."""

from evidencelab.web.app import create_app
from evidencelab.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
