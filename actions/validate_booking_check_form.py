"""`validate_booking_check_form`: reference and e-mail to look a booking up."""

from __future__ import annotations

from actions._booking_common import BookingLookupValidation


class ValidateBookingCheckForm(BookingLookupValidation):
    """Validates the reference and e-mail of the check form."""

    def name(self) -> str:
        """Rasa's name for the check form's validator."""
        return "validate_booking_check_form"
