"""`validate_place_form`: turn what the buyer said into a known place (postal code … region)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions._routing_common import place_entities
from bot.territory import PlaceError, Territories, load_territories

logger = logging.getLogger(__name__)


class ValidatePlaceForm(FormValidationAction):
    """Validates `routing_place`; the ask action explains failures and offers choices."""

    def __init__(self, territories: Callable[[], Territories] = load_territories) -> None:
        self._territories = territories

    def name(self) -> str:
        """Rasa's name for the place form's validator."""
        return "validate_place_form"

    async def validate_routing_place(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accept a stored place key, or resolve the entities / text of the answer."""
        try:
            territories = self._territories()
            value = str(slot_value or "")
            if value.partition(":")[0] in ("commune", "cp", "dep", "reg"):
                place = territories.from_key(value)  # set by action_start_contact_search
            else:
                parts = place_entities(tracker) or {"text": value}
                place = territories.resolve_parts(**parts)
        except PlaceError:
            return {"routing_place": None}
        except Exception:
            logger.exception("place validation failed")
            return {"routing_place": None}
        return {
            "routing_place": territories.key_of(place),
            "department": place.departement.code if place.departement else None,
            "region": place.region.slug,
        }
