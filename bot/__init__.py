"""Core of l'Assistant Achats Durables: plain Python, no Rasa import.

Knowledge, obligations engine, territories and routing, bookings, French text helpers and the
command line (`python -m bot …`) live here, so that every channel (Rasa actions, web app, CLI)
shares one tested implementation.
"""
