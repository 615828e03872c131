"""What starts or ends in a time window, read from the knowledge base itself ("qu'est-ce qui
change en 2027 ?", `python -m bot kb changes --from 2026-12-01 --to 2027-12-31`).

Every dated item is an event: an obligation's `depuis` / `jusqu_au`, a precision's `depuis` /
`jusqu_au` (a rate that rises, a label that stops counting) and a threshold row's period. A
`jusqu_au` is the last day a rule applies, so its event is dated that day. No date is written
here: adding a dated precision to the YAML adds a change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bot.diagnostic import LEGAL_REMINDER, Reply, knowledge_date_sentence
from bot.engine import format_date, format_number
from bot.knowledge import Condition, Knowledge, Obligation, ThresholdRow
from bot.text import fold

Kind = Literal["debut", "fin"]
KIND_LABELS: dict[str, str] = {"debut": "début", "fin": "fin"}
MAX_LINES_ALL_TYPES = 8
"""Changes listed in the chat when the buyer's type is unknown (the rest is offered by type)."""


@dataclass(frozen=True)
class Change:
    """One dated event of the knowledge base."""

    date: dt.date
    obligation: str
    titre: str
    type: Kind
    texte: str
    source: Literal["obligation", "precision", "seuil"]

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `kb changes --json`."""
        return {
            "date": self.date.isoformat(),
            "obligation": self.obligation,
            "titre": self.titre,
            "type": self.type,
            "texte": self.texte,
            "source": self.source,
        }

    def as_line(self) -> str:
        """One line for the chat or the terminal."""
        return f"{format_date(self.date)} ({KIND_LABELS[self.type]}) — {self.titre} : {self.texte}"


def _thresholds_of(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    found = {condition.seuil} if condition.seuil else set()
    for child in condition.tous or condition.au_moins_un or []:
        found |= _thresholds_of(child)
    return found


def _fits(
    subjects: Iterable[str] | None,
    categories: Iterable[str] | None,
    etablissement: str | None,
    projet: str | None,
) -> bool:
    """True when an item restricted to `subjects` / `categories` (None: no restriction) concerns
    the profile (None: any)."""
    if etablissement is not None and subjects is not None and etablissement not in subjects:
        return False
    return not (projet is not None and categories is not None and projet not in categories)


def _rows_for_profile(
    rows: list[ThresholdRow], etablissement: str | None, projet: str | None
) -> list[ThresholdRow]:
    """The rows the engine could pick for the profile: with a full profile, the first matching
    row of each period only (rows are ordered, the particular ones first)."""
    if etablissement is None or projet is None:
        return [r for r in rows if _fits(r.assujettis, r.categories, etablissement, projet)]
    chosen: dict[tuple[dt.date, dt.date | None], ThresholdRow] = {}
    for row in rows:
        if row.matches(etablissement, projet):
            chosen.setdefault((row.depuis, row.jusqu_au), row)
    return list(chosen.values())


def list_changes(
    knowledge: Knowledge,
    start: dt.date,
    end: dt.date,
    etablissement: str | None = None,
    projet: str | None = None,
) -> list[Change]:
    """The events dated from `start` to `end` (both included), for a type and a category when
    given, sorted by date then in knowledge order."""
    events: list[tuple[dt.date, int, int, Change]] = []

    def add(rank: int, date: dt.date | None, obligation: Obligation, kind: Kind, text: str,
            source: Literal["obligation", "precision", "seuil"]) -> None:  # fmt: skip
        if date is not None and start <= date <= end:
            change = Change(date, obligation.id, obligation.titre, kind, text, source)
            events.append((date, rank, len(events), change))

    for rank, obligation in enumerate(knowledge.obligations):
        subjects = None if obligation.assujettis == "tous" else obligation.assujettis
        categories = None if obligation.categories == "toutes" else obligation.categories
        if not _fits(subjects, categories, etablissement, projet):
            continue
        add(rank, obligation.depuis, obligation, "debut",
            f"entrée en vigueur. {obligation.resume}", "obligation")  # fmt: skip
        add(rank, obligation.jusqu_au, obligation, "fin",
            "dernier jour d'application de cette obligation.", "obligation")  # fmt: skip
        for precision in obligation.precisions:
            if not _fits(precision.assujettis, precision.categories, etablissement, projet):
                continue
            add(rank, precision.depuis, obligation, "debut", precision.texte, "precision")
            add(rank, precision.jusqu_au, obligation, "fin",
                f"fin de cette précision : « {precision.texte} »", "precision")  # fmt: skip
        # Threshold periods: one event per start, and one per end date gathering the values
        # that stop (the biennial EU thresholds all end on the same day).
        ends: dict[dt.date, list[str]] = {}
        unknown_next: set[dt.date] = set()
        for name in sorted(_thresholds_of(obligation.conditions)):
            rows = knowledge.thresholds[name].lignes
            for row in _rows_for_profile(rows, etablissement, projet):
                value = f"{format_number(row.valeur)} € HT"
                add(rank, row.depuis, obligation, "debut",
                    f"nouveau seuil : {row.libelle}, soit {value}.", "seuil")  # fmt: skip
                if row.jusqu_au is None:
                    continue
                ends.setdefault(row.jusqu_au, []).append(f"{row.libelle} ({value})")
                if not any(r.depuis > row.jusqu_au for r in rows):
                    unknown_next.add(row.jusqu_au)
        for date, said in ends.items():
            text = "dernier jour des seuils : " + " ; ".join(said) + "."
            if date in unknown_next:
                text += (
                    " Les valeurs suivantes ne sont pas encore dans la base : vérifiez l'avis "
                    "sur les seuils de procédure."
                )
            add(rank, date, obligation, "fin", text, "seuil")
    events.sort(key=lambda e: e[:3])
    return [e[3] for e in events]


# --- the chat's horizon ("en 2027", "l'an prochain", "à venir") -------------------------------

_YEAR = re.compile(r"\b(20[2-9]\d)\b")
_NEXT_YEAR = re.compile(r"\b(l an prochain|l annee prochaine|an prochain|annee prochaine)\b")
_THIS_YEAR = re.compile(r"\b(cette annee|cet an)\b")
_COMING = re.compile(
    r"\b(a venir|prochainement|bientot|ce qui change|qu est ce qui change|quoi de neuf|"
    r"nouveautes?|changements?|evolutions? a venir|qui va changer|va changer)\b"
)


def detect_horizon(text: str) -> str | None:
    """The time horizon a message names, as a canonical value: a year ("2027"), "an_prochain",
    "cette_annee" or "a_venir"; None when the message names none."""
    folded = fold(text)
    year = _YEAR.search(folded)
    if year:
        return year.group(1)
    if _NEXT_YEAR.search(folded):
        return "an_prochain"
    if _THIS_YEAR.search(folded):
        return "cette_annee"
    if _COMING.search(folded):
        return "a_venir"
    return None


def horizon_window(horizon: str, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The window of a canonical horizon, and how to say it ("en 2027").

    A year's window opens on 31 December of the year before, so that a rule whose last day is
    that date (a label that stops counting on 1 January) is part of "what changes in 2027".
    """
    if horizon.isdigit():
        year = int(horizon)
        return dt.date(year - 1, 12, 31), dt.date(year, 12, 31), f"en {year}"
    if horizon == "an_prochain":
        year = today.year + 1
        return dt.date(year - 1, 12, 31), dt.date(year, 12, 31), f"l'an prochain ({year})"
    if horizon == "cette_annee":
        return today, dt.date(today.year, 12, 31), f"d'ici la fin de {today.year}"
    return today, dt.date(today.year + 1, 12, 31), f"d'ici la fin de {today.year + 1}"


def changes_replies(
    knowledge: Knowledge,
    horizon: str,
    today: dt.date,
    etablissement: str | None = None,
    projet: str | None = None,
) -> list[Reply]:
    """The chat's answer to "qu'est-ce qui change en 2027 ?" for the buyer's profile.

    With the type known: every change for that type (and category, if known). Without it: the
    first changes for all buyers, said as such, and one button per type to narrow the answer.
    """
    start, end, said = horizon_window(horizon, today)
    found = list_changes(knowledge, start, end, etablissement, projet)
    if etablissement is not None:
        who = knowledge.wording.etablissements.get(etablissement, etablissement)
        scope = f"pour {who}"
        if projet is not None:
            scope += f", achat « {knowledge.categories.label(projet)} »"
    else:
        scope = "pour l'ensemble des acheteurs publics (je ne connais pas encore votre type)"
    if not found:
        text = (
            f"Je ne connais aucun changement daté {said} {scope}. "
            "Les obligations déjà en vigueur continuent de s'appliquer."
        )
        return [Reply(text), Reply(_reminder(knowledge))]
    shown = found if etablissement is not None else found[:MAX_LINES_ALL_TYPES]
    header = f"Ce qui change {said} {scope} : {len(found)} changement(s) daté(s)."
    lines = [header, *(f"• {change.as_line()}" for change in shown)]
    if len(shown) < len(found):
        lines.append(f"… et {len(found) - len(shown)} autre(s).")
    replies = [Reply("\n".join(lines))]
    if etablissement is None:
        # The horizon is remembered by the conversation (slot), not carried by the payload.
        buttons = [
            {"title": label, "payload": '/ask_changes{"establishment_type": "' + key + '"}'}
            for key, label in knowledge.etablissements.labels.items()
        ]
        replies.append(Reply("Pour la liste qui vous concerne, qui êtes-vous ?", buttons))
    replies.append(Reply(_reminder(knowledge)))
    return replies


def _reminder(knowledge: Knowledge) -> str:
    return (
        "Les changements viennent des dates de la base ; ceux marqués « à vérifier » dans le "
        f"détail d'une obligation restent à confirmer. {LEGAL_REMINDER} "
        f"{knowledge_date_sentence(knowledge)}"
    )
