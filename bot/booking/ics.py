"""Calendar invitation (.ics, RFC 5545) for a confirmed booking."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.booking.formatting import FORMAT_LABELS
from bot.booking.repository import BookingView

PRODID = "-//Assistant Achats Durables//Mission SPASER//FR"


def _escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = " " + char
            limit = 75
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ics_filename(booking: BookingView) -> str:
    """File name of the invitation: `spaser-<reference>.ics`."""
    return f"spaser-{booking.reference}.ics"


def booking_ics(booking: BookingView, now: datetime | None = None) -> str:
    """Return the invitation of a booking as iCalendar text (CRLF line ends).

    Times are written in UTC (the `Z` form), which every calendar converts to local time, so no
    VTIMEZONE block is needed.
    """
    session = booking.session
    where = session.place if session.format == "presentiel" and session.place else "En ligne"
    description = (
        f"Mission SPASER : {session.title}\n"
        f"Format : {FORMAT_LABELS.get(session.format, session.format)}\n"
        f"Référence d'inscription : {booking.reference}\n"
        "Pour vérifier ou annuler : donnez à l'assistant votre référence et votre e-mail."
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:spaser-{booking.reference}@assistant-achats-durables",
        f"DTSTAMP:{_utc(now or datetime.now(timezone.utc))}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{_escape(session.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(where)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
