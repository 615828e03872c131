"""`python -m bot.web`: serve the web app on `WEB_PORT` (8000) with uvicorn."""

from __future__ import annotations

import os

import uvicorn

from bot.settings import get_settings
from bot.web.app import create_app


def main() -> None:
    """Start uvicorn on 127.0.0.1 (or `WEB_HOST`) and `WEB_PORT`."""
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    # ws="none": no WebSocket route, and Rasa pins a websockets too old for uvicorn's.
    uvicorn.run(
        create_app(), host=host, port=get_settings().web_port, log_level="warning", ws="none"
    )


if __name__ == "__main__":
    main()
