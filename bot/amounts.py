"""French amounts and quantities as typed by buyers: "60 millions d'euros", "1,2 M€ HT".

The parsers never guess: a vague ("beaucoup", "une vingtaine"), bounded ("plus de 50 M€"),
negative or absurd value raises `AmountError` whose message is French, says what is wrong and
gives an example, so the bot can re-ask instead of deciding an obligation on a made-up number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.text import normalize_message

MAX_AMOUNT_EUROS = 1e12
"""Above a thousand billion euros, the value is a typo (no public buyer spends that)."""
MAX_SURFACE_M2 = 1e7
"""10 km²: no building or site in a single contract is larger."""
MAX_COUNT = 1e9

QuantityKind = Literal["nombre", "surface"]


class AmountError(ValueError):
    """A value that cannot be read as a precise number; `message` is the French re-ask."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_AMOUNT_EXAMPLE = "par exemple « 60 millions d'euros » ou « 250 000 € HT »"

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70, "octante": 80,
    "huitante": 80, "nonante": 90,
}  # fmt: skip
_SCALES = {
    "mille": 1e3, "k": 1e3, "milliers": 1e3, "millier": 1e3,
    "million": 1e6, "millions": 1e6, "m": 1e6, "mio": 1e6,
    "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9, "bn": 1e9,
}  # fmt: skip

# Words that make a value vague: refused, never turned into a number.
_VAGUE = re.compile(
    r"\b(beaucoup|plusieurs|quelques|pas mal|enormement|un peu|peu|nombreux|nombreuses|"
    r"dizaines?|vingtaines?|trentaines?|quarantaines?|cinquantaines?|soixantaines?|"
    r"centaines?|douzaines?|quinzaines?|des milliers|des millions|des milliards|"
    r"grand|grande|petit|petite|gros|grosse|important|importante|enorme|moyen|moyenne|"
    r"je ne sais pas|je sais pas|sais pas|aucune idee|inconnu|nsp)\b"
)
_BOUND = re.compile(
    r"\b(plus de|moins de|au moins|au plus|au dela de|superieure? a|inferieure? a|"
    r"entre|jusqu a|maximum|minimum|max|min)\b|[<>≤≥]"
)
_APPROX = re.compile(
    r"\b(environ|env|a peu pres|approximativement|autour de|pres de|presque|quasiment|"
    r"de l ordre de|grosso modo|plus ou moins|a priori|estime a|estimee a|on est a|soit)\b|[~≈]"
)


def _clean(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces; keeps digits, '.', ',' and '€'."""
    text = normalize_message(text).lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", " ").replace("²", "2")
    return re.sub(r"\s+", " ", text).strip()


def _check_not_vague(text: str, example: str) -> None:
    if not any(ch.isalnum() for ch in text):
        raise AmountError(f"Je n'ai pas trouvé de nombre. Indiquez une valeur, {example}.")
    if re.match(r"^-\s*\d", text) or re.search(r"\bmoins \d", text):
        raise AmountError(
            f"La valeur ne peut pas être négative. Indiquez une valeur positive, {example}."
        )
    vague = _VAGUE.search(text)
    if vague:
        raise AmountError(
            f"« {vague.group(0)} » est trop imprécis pour décider d'une obligation. "
            f"Donnez une estimation chiffrée, {example}."
        )
    if _BOUND.search(text):
        raise AmountError(
            "J'ai besoin d'une seule valeur, même approximative, plutôt qu'une fourchette : "
            f"{example}."
        )


def _number(token: str) -> float | None:
    """Read one numeric token ("1200000", "1,2", "1.5", "50.000") or return None."""
    if not re.fullmatch(r"\d[\d.,]*", token):
        return None
    commas, dots = token.count(","), token.count(".")
    if commas and dots:
        decimal = "," if token.rfind(",") > token.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        token = token.replace(thousands, "").replace(decimal, ".")
    elif commas > 1 or dots > 1:
        token = token.replace(",", "").replace(".", "")
    elif commas == 1:
        token = token.replace(",", ".")
    elif dots == 1 and re.fullmatch(r"\d{1,3}\.\d{3}", token):
        token = token.replace(".", "")  # "50.000" is fifty thousand in French usage
    try:
        return float(token)
    except ValueError:
        return None


def _read_number(
    text: str, example: str, scales: dict[str, float] | None = None
) -> tuple[float, list[str]]:
    """Read the number at the start of `text`; return it and the remaining words.

    Digits and French number words mix freely ("2 millions 500 mille", "deux cent mille",
    "1,2 M", "60M"); the remaining words (units) are left to the caller.
    """
    scales = _SCALES if scales is None else scales
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "", text)  # "1 200 000" → "1200000"
    text = re.sub(r"(?<=\d)(?=[a-z])", " ", text)  # "60m" → "60 m"
    tokens = [t for t in re.split(r"[\s-]+", text) if t]
    total = 0.0
    current = 0.0
    last_scale = 1.0
    seen = False
    previous_was_digit = False
    index = 0
    for index, token in enumerate(tokens):  # noqa: B007 (index used after the loop)
        value = _number(token)
        if value is not None:
            if previous_was_digit:
                raise AmountError(
                    f"Je n'ai pas compris ce nombre. Écrivez-le d'un seul tenant, {example}."
                )
            current += value
            seen = previous_was_digit = True
            continue
        previous_was_digit = False
        if token == "et":
            continue
        if token in ("demi", "demie") and seen and last_scale > 1:
            total += 0.5 * last_scale
            continue
        if token in _UNITS:
            if token.startswith("vingt") and current % 100 == 4:
                current += 76  # quatre-vingt(s) = 4 * 20
            else:
                current += _UNITS[token]
            seen = True
            continue
        if token in ("cent", "cents"):
            current = (current or 1) * 100
            seen = True
            continue
        if token in scales and (seen or token in ("mille", "million", "milliard")):
            scale = scales[token]
            total += (current or 1) * scale
            current = 0.0
            last_scale = scale
            seen = True
            continue
        break
    else:
        index = len(tokens)
    if not seen:
        raise AmountError(f"Je n'ai pas trouvé de nombre. Indiquez une valeur, {example}.")
    return total + current, tokens[index:]


def parse_amount(text: str) -> int:
    """Euros (HT) written in French; raise AmountError when vague, negative, absurd or unreadable.

    >>> parse_amount("1,2 M€ HT")
    1200000
    """
    cleaned = _clean(text)
    _check_not_vague(cleaned, _AMOUNT_EXAMPLE)
    if re.search(r"\bttc\b|toutes taxes", cleaned):
        raise AmountError(
            "Les seuils se comparent à des montants hors taxes. Indiquez le montant HT, "
            + _AMOUNT_EXAMPLE
            + "."
        )
    cleaned = _APPROX.sub(" ", cleaned)
    cleaned = re.sub(r"\b(hors taxes?|h ?t)\b\.?", " ", cleaned)
    cleaned = re.sub(r"\bk ?(euros?|eur|€)", "k ", cleaned)
    cleaned = re.sub(r"\bkeuros?\b|\bkeur\b", "k", cleaned)
    cleaned = re.sub(r"\bmeuros?\b|\bmeur\b", "m", cleaned)
    cleaned = re.sub(r"\b(d|de)? ?(euros?|eur)\b|€", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    value, rest = _read_number(cleaned, _AMOUNT_EXAMPLE)
    if rest:
        raise AmountError(
            f"Je n'ai pas compris « {text.strip()} » comme un montant. "
            f"Indiquez-le, {_AMOUNT_EXAMPLE}."
        )
    if value > MAX_AMOUNT_EUROS:
        raise AmountError(
            "Ce montant paraît trop élevé pour un achat public. "
            f"Vérifiez l'unité, {_AMOUNT_EXAMPLE}."
        )
    return round(value)


_SURFACE_UNITS = {
    "m2": 1.0, "m": 1.0, "metre": 1.0, "metres": 1.0, "metre carre": 1.0, "metres carres": 1.0,
    "ha": 1e4, "hectare": 1e4, "hectares": 1e4, "km2": 1e6,
}  # fmt: skip
_SURFACE_FILLER = {"carre", "carres", "de", "d", "surface", "plancher", "sdp", "environ", "utile"}


def parse_quantity(text: str, kind: QuantityKind = "nombre") -> int | float:
    """A count ("30 véhicules", "trente", "1 200 habitants") or an area in m² ("1 200 m²", "2 ha").

    Counts must be whole numbers. Raise AmountError when vague ("une vingtaine"), negative,
    absurd (an area above 10 km²) or unreadable.
    """
    example = "par exemple « 1 200 m² »" if kind == "surface" else "par exemple « 25 »"
    cleaned = _clean(text)
    _check_not_vague(cleaned, example)
    cleaned = _APPROX.sub(" ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    scales = _SCALES
    if kind == "surface":  # "m" is metres here, not millions
        scales = {k: v for k, v in _SCALES.items() if k not in ("m", "mio", "k")}
    value, rest = _read_number(cleaned, example, scales)
    if kind == "surface":
        factor = 1.0
        words = [w for w in rest if w not in _SURFACE_FILLER]
        if words:
            unit = " ".join(words[:2]) if " ".join(words[:2]) in _SURFACE_UNITS else words[0]
            if unit not in _SURFACE_UNITS or len(words) > len(unit.split()):
                raise AmountError(
                    f"Je n'ai pas compris cette surface. Indiquez-la en m², {example}."
                )
            factor = _SURFACE_UNITS[unit]
        value *= factor
        if value > MAX_SURFACE_M2:
            raise AmountError(f"Cette surface dépasse 10 km² : vérifiez l'unité, {example}.")
        return int(value) if value == int(value) else value
    if any(re.search(r"\d", word) for word in rest):
        raise AmountError(f"J'ai besoin d'un seul nombre, {example}.")
    if value != int(value):
        raise AmountError(f"Indiquez un nombre entier, {example}.")
    if value > MAX_COUNT:
        raise AmountError(f"Ce nombre paraît trop élevé : vérifiez-le, {example}.")
    return int(value)


# --- every number of a sentence, with its position -----------------------------------------------

MentionKind = Literal["montant", "nombre", "surface"]

_NUM = r"(?<![\w.,])(?:\d{1,3}(?:[ .]\d{3})+(?:,\d+)?(?!\d)|\d+(?:[.,]\d+)?)"
_SCALE_WORDS = (
    r"milliards?|millions?|milliers?|mille|mds?|mrds?|md|mio|keuros?|meuros?|keur|meur|k|m"
)
_MENTION = re.compile(
    rf"(?P<num>{_NUM})"
    rf"(?P<scale>\s?(?:{_SCALE_WORDS})(?![a-z0-9]))?"
    r"(?:(?P<cur>\s?(?:d |de )?(?:€|euros?(?![a-z])|eur(?![a-z])))"
    r"(?P<tax>\s?(?:hors taxes?|ht|h t|ttc)(?![a-z]))?"
    r"|(?P<surf>\s?(?:m2|metres? carres?|hectares?|ha|km2)(?![a-z0-9])))?"
)
_BOUND_BEFORE = 16
"""Characters looked at before a number for "plus de", "entre", "<"…"""


@dataclass(frozen=True)
class Mention:
    """One number written in a message, located in `search_text(message)`.

    `kind` comes from its unit: "montant" (€, euros, k€, M€), "surface" (m², ha) or "nombre"
    (no unit: a count, or an amount written without "€" when `scaled`, "30 millions").
    `precise` is False for a bound ("plus de 50 M€"): such a value is never taken as the fact.
    """

    start: int
    end: int
    text: str
    kind: MentionKind
    scaled: bool
    precise: bool


def search_text(text: str) -> str:
    """The form of a message that `find_mentions` positions refer to (lower case, no accents,
    apostrophes as spaces); cue words are matched against the same form."""
    return _clean(text)


def find_mentions(text: str) -> list[Mention]:
    """All the numbers of a message, in order, with their unit and position.

    >>> [m.text for m in find_mentions("nos achats sont de 30 M€ et ce marché fait 150 000 € HT")]
    ['30 m€', '150 000 € ht']
    """
    cleaned = search_text(text)
    found = []
    for match in _MENTION.finditer(cleaned):
        scale = (match.group("scale") or "").strip()
        kind: MentionKind = "nombre"
        if match.group("cur") or scale in ("keuro", "keuros", "meuro", "meuros", "keur", "meur"):
            kind = "montant"
        elif match.group("surf"):
            kind = "surface"
        before = cleaned[max(0, match.start() - _BOUND_BEFORE) : match.start()]
        found.append(
            Mention(
                start=match.start(),
                end=match.end(),
                text=match.group(0).strip(),
                kind=kind,
                scaled=bool(scale),
                precise=not (_BOUND.search(before) or _VAGUE.search(before)),
            )
        )
    return found
