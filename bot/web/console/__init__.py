"""The hotline console of the web app: login, ticket queue, ticket pages, triage."""

from bot.web.console.routes import Console, console_routes, held_answer
from bot.web.console.triage_service import TriageService

__all__ = ["Console", "TriageService", "console_routes", "held_answer"]
