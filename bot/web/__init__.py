"""The web app (port 8000): the demo ministry page with the chat widget, and the chat API that
relays the widget's messages to Rasa's REST channel under a server-minted, signed conversation id.

It is an HTTP client of Rasa and imports nothing from it.
"""
