"""`validate_booking_cancel_form`: reference and e-mail of the booking to cancel."""

from __future__ import annotations

from actions._booking_common import BookingLookupValidation


class ValidateBookingCancelForm(BookingLookupValidation):
    """Validates the reference and e-mail of the cancel form."""

    def name(self) -> str:
        """Rasa's name for the cancel form's validator."""
        return "validate_booking_cancel_form"
