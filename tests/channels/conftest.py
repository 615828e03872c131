"""The fake Bot Framework fixtures, shared with tests/bot/teams."""

from tests.bot.teams.conftest import fake, key, no_proxy, other_key

__all__ = ["fake", "key", "no_proxy", "other_key"]
