"""End-to-end conversation harness: the trained model plus a real action server.

`Conversation.say()` sends one message through the same code path as the REST channel and
returns the bot's answers, so tests assert what a buyer would read.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_action_server(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start `rasa run actions` on a free port; return the process and its webhook URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RASA_TELEMETRY_ENABLED": "false"}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return process, f"http://127.0.0.1:{port}/webhook"
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("le serveur d'actions n'a pas démarré en 120 s")


class Conversation:
    """One user talking to the assistant."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.sender = f"test-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send `text` and return the bot's messages (text, buttons, custom payloads)."""
        return self.bot.loop.run_until_complete(
            self.bot.agent.handle_text(text, sender_id=self.sender)
        )

    def texts(self, text: str) -> str:
        """Send `text` and return the bot's answers as one string."""
        return "\n".join(m.get("text", "") or "" for m in self.say(text))

    def tracker(self) -> Any:
        return self.bot.loop.run_until_complete(self.bot.agent.tracker_store.retrieve(self.sender))


class Bot:
    """The trained model loaded once, with a real action server behind it."""

    def __init__(self, model_dir: Path, action_url: str) -> None:
        from rasa.core.agent import Agent
        from rasa.model import get_latest_model
        from rasa.utils.endpoints import EndpointConfig

        self.loop = asyncio.new_event_loop()
        model = get_latest_model(str(model_dir))
        if model is None:
            raise RuntimeError("aucun modèle : lancez `make train`")
        self.agent = Agent.load(model, action_endpoint=EndpointConfig(action_url))
        self.database_url = ""
        """The database of the action server (set by `running_bot`), for admin commands and
        tests that act as hotline staff."""

    def conversation(self) -> Conversation:
        return Conversation(self)

    def say_all(self, turns: list[tuple[Conversation, str]]) -> list[list[dict[str, Any]]]:
        """Send several messages of different conversations at the same time (concurrent turns,
        as when several buyers click at once); return each one's answers, in order."""

        async def gather() -> list[list[dict[str, Any]]]:
            return list(
                await asyncio.gather(
                    *(self.agent.handle_text(text, sender_id=c.sender) for c, text in turns)
                )
            )

        return self.loop.run_until_complete(gather())

    def admin(self, *args: str) -> str:
        """Run `python -m bot ARGS` on the action server's database; return its output."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def close(self) -> None:
        self.loop.close()


def running_bot(tmp_dir: Path) -> Iterator[Bot]:
    """Yield a Bot on a fresh SQLite database holding the demo SPASER sessions; stop the action
    server afterwards."""
    database_url = f"sqlite:///{tmp_dir / 'e2e.db'}"
    for command in (["db", "upgrade"], ["sessions", "seed"]):
        subprocess.run(
            [sys.executable, "-m", "bot", *command],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
        )
    process, url = start_action_server(database_url)
    try:
        bot = Bot(ROOT / "models", url)
        bot.database_url = database_url
        try:
            yield bot
        finally:
            bot.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
