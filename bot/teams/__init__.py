"""Microsoft Teams (Bot Framework) channel, without Rasa: token validation, activity reading,
Adaptive Card rendering, outbound client with retries, and the webhook logic.

The Rasa adapter is `channels/teams.py`; the set-up is in docs/teams.md.
"""
