"""Rasa input channels of the assistant (thin adapters; the logic lives in `bot/`)."""
