"""Rules that correct the intent classifier where it cannot be trusted (no Rasa import).

Used by `rasa_components.input_guard`; kept here so they are tested without a model.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from bot.text import edit_distance_at_most, fold

FACTS_ONLY_CONFIDENCE = 0.9
# Gibberish is decided on the first words: one known word among them is enough to say no.
_MAX_WORDS_CHECKED = 20

# Words that carry no request of their own around a fact: "on est une commune", "mon code
# postal c'est 33000", "pour la Gironde svp".
FILLER_WORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "c",
        "ca",
        "ce",
        "cest",
        "code",
        "cp",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "est",
        "et",
        "etc",
        "euh",
        "ici",
        "il",
        "j",
        "je",
        "l",
        "la",
        "le",
        "les",
        "m",
        "ma",
        "mes",
        "moi",
        "mon",
        "n",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pour",
        "postal",
        "qu",
        "que",
        "sa",
        "se",
        "ses",
        "si",
        "son",
        "sommes",
        "suis",
        "sur",
        "svp",
        "stp",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vers",
        "vos",
        "votre",
        "vous",
        "y",
        "oui",
        "non",
        "merci",
        "bien",
        "alors",
        "donc",
        "plutot",
        "environ",
        "fait",
        "plus",
    ]
)


def is_gibberish(text: str, training_words: Collection[str], spacy_known: Collection[str]) -> bool:
    """True when no word of `text` is known: neither seen in training nor in spaCy's vocabulary.

    Numbers count as known (a postal code alone is a fact, not gibberish), and so does a typo
    of a training word ("bonjourr"). With no training vocabulary at all (an old model) nothing
    is called gibberish.
    """
    if not training_words:
        return False
    words = fold(text).split()[:_MAX_WORDS_CHECKED]
    known_spacy = {fold(word) for word in spacy_known}

    def known(word: str) -> bool:
        if word.isdigit() or word in training_words or word in known_spacy:
            return True
        return len(word) >= 4 and any(
            edit_distance_at_most(word, candidate, 1)
            for candidate in training_words
            if candidate[:1] == word[:1]
        )

    return bool(words) and not any(known(word) for word in words)


def is_facts_only(text: str, entities: Sequence[Mapping[str, Any]]) -> bool:
    """True when `text` holds at least one entity and, besides them, only filler words."""
    if not entities:
        return False
    rest = list(text)
    for entity in entities:
        start, end = int(entity.get("start", 0)), int(entity.get("end", 0))
        rest[start:end] = " " * (end - start)
    return all(word in FILLER_WORDS for word in fold("".join(rest)).split())
