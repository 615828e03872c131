"""Hotline: staff accounts, hand-over tickets and their messages (BRIEF §2, journey 6)."""
