"""The fake Bot Framework fixtures, shared with tests/bot/teams."""

from tests.bot.teams.conftest import fake, key, other_key

__all__ = ["fake", "key", "other_key"]
