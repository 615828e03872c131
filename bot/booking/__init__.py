"""Mission SPASER sessions and bookings: models, migrations runner, service (no Rasa here).

Entry point: `bot.booking.service.get_booking_service()`; see that module for the guarantees.
"""
