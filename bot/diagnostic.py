"""The autodiagnostic conversation, without Rasa: what to ask next, facts found in a message,
which obligation a follow-up question is about, and the French messages of the answer.

The Rasa actions (actions/…) only read slots, call these functions and send the messages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.engine import (
    Engine,
    EngineError,
    ObligationResult,
    Result,
    format_date,
    format_fact_value,
)
from bot.knowledge import FactValue, Knowledge
from bot.text import fold

DONT_KNOW_PAYLOAD = "/dont_know"
LEGAL_REMINDER = (
    "Information, pas un conseil juridique : vérifiez les textes cités avant de décider."
)

GROUP_TITLES = {
    "applicable": "En vigueur",
    "a_venir": "À venir",
    "a_confirmer": "À confirmer",
}

_DONT_KNOW = re.compile(
    r"^(je (ne )?(le )?sais pas|j en sais rien|aucune idee|ne sais pas|sais pas|nsp|"
    r"je n en sais rien|je ne suis pas sur|pas sur|inconnu|je ne connais pas|je l ignore|"
    r"je (vais|dois) (me renseigner|verifier)|il faut que je (me renseigne|verifie))\b"
)


@dataclass(frozen=True)
class Reply:
    """One chat message: text and optional buttons (`title`, `payload`)."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def knowledge_date_sentence(knowledge: Knowledge) -> str:
    """The sentence that dates the knowledge base for the user."""
    return f"Base de connaissances vérifiée le {format_date(knowledge.checked_on())}."


def is_dont_know(text: str) -> bool:
    """True when the message means "I don't know" ("je ne sais pas", "aucune idée")."""
    folded = fold(text)
    return folded == fold(DONT_KNOW_PAYLOAD) or bool(_DONT_KNOW.match(folded))


def next_fact(
    engine: Engine,
    etablissement: str,
    projet: str,
    facts: Mapping[str, FactValue],
    unknown: Iterable[str],
    date: dt.date | None = None,
) -> str | None:
    """The next fact that decides an obligation for this profile and was not answered "je ne sais
    pas"; None when nothing is left to ask."""
    skipped = set(unknown)
    result = engine.evaluate(etablissement, projet, facts, date)
    return next((f for f in result.missing_facts() if f not in skipped), None)


def fact_question(knowledge: Knowledge, key: str) -> Reply:
    """The question for fact `key`, with answer buttons and "Je ne sais pas"."""
    definition = knowledge.facts[key]
    buttons = [
        {"title": c.bouton, "payload": c.bouton} for c in (definition.valeurs or {}).values()
    ]
    buttons.append({"title": "Je ne sais pas", "payload": DONT_KNOW_PAYLOAD})
    return Reply(definition.question, buttons)


# --- facts mentioned in free text ------------------------------------------------------------

_NUMBER = r"(\d[\d\s.,]*\d|\d)(?:\s*(?:millions?|milliers?|mille|k))?"
_COUNT_PATTERNS = {
    "taille_flotte": rf"{_NUMBER}\s*(?:vehicules?|voitures?|vl)\b",
    "nombre_bus": rf"{_NUMBER}\s*(?:bus|autobus|autocars?|cars)\b",
    "population": rf"{_NUMBER}\s*(?:habitants?|hab)\b",
    "repas_par_jour": rf"{_NUMBER}\s*(?:repas|couverts)\b",
}
_SURFACE_PATTERN = rf"{_NUMBER}\s*(?:m2|m²|metres? carres?)"
_AMOUNT_PATTERN = (
    r"(\d[\d\s.,]*\d|\d)\s*(?:milliards?|millions?|mds?|md|m|k|mille)?\s*"
    r"(?:d |de )?(?:€|euros?|eur)"
    r"|(\d[\d\s.,]*\d|\d)\s*(?:milliards?|millions?|m€|k€|md€)"
)
_WORKS = {
    "construction": r"\b(construction|construire|batiment neuf|neuve?)\b",
    "renovation": r"\b(renovation|renover|rehabilitation|rehabiliter)\b",
    "demolition": r"\b(demolition|demolir|deconstruction)\b",
}
_ANNUAL_CUES = r"\b(achats|par an|annuel|annuels|annuelle|chaque annee|budget)\b"
_CONTRACT_CUES = r"\b(marche|contrat|lot|consultation|accord cadre)\b"


def _plain(text: str) -> str:
    """Lower case, no accents; keeps digits, '.', ',' and '€' for number parsing."""
    folded = fold(text.replace(",", "\x00").replace(".", "\x01").replace("€", " € "))
    return folded.replace("\x00", ",").replace("\x01", ".").replace(" € ", "€").replace("€", " €")


def facts_in_text(
    engine: Engine, text: str, wanted: Iterable[str], amount_hint: str | None = None
) -> dict[str, FactValue]:
    """Facts among `wanted` that the message states clearly ("30 véhicules", "1 200 m²",
    "une rénovation", "60 M€ d'achats par an"); vague or impossible mentions are ignored here
    (the form re-asks with an example when the fact is the one requested).

    `amount_hint` says which amount fact a bare amount ("60 M€") answers, when the message has
    no cue ("achats", "marché").
    """
    wanted = set(wanted)
    plain = _plain(text)
    found: dict[str, FactValue] = {}

    def keep(key: str, raw: str) -> None:
        with contextlib.suppress(EngineError):  # vague mentions are re-asked, not guessed
            found[key] = engine.parse_fact(key, raw)

    for key, pattern in _COUNT_PATTERNS.items():
        match = re.search(pattern, plain)
        if key in wanted and match:
            keep(key, match.group(0))
    match = re.search(_SURFACE_PATTERN, plain)
    if "surface_m2" in wanted and match:
        keep("surface_m2", match.group(0))
    if "nature_travaux" in wanted:
        kinds = [kind for kind, pattern in _WORKS.items() if re.search(pattern, plain)]
        if len(kinds) == 1:  # "rénovation ou construction ?" decides nothing
            found["nature_travaux"] = kinds[0]
    amounts = {"montant_achats_annuel", "montant_marche"} & wanted
    match = re.search(_AMOUNT_PATTERN, plain)
    if amounts and match:
        if re.search(_ANNUAL_CUES, plain) and "montant_achats_annuel" in amounts:
            target: str | None = "montant_achats_annuel"
        elif re.search(_CONTRACT_CUES, plain) and "montant_marche" in amounts:
            target = "montant_marche"
        else:
            target = amount_hint if amount_hint in amounts else None
        if target is not None:
            keep(target, match.group(0))
    return found


def read_answer(engine: Engine, key: str, text: str) -> FactValue:
    """Read the answer to the question about `key`; EngineError (French re-ask) if unreadable.

    A whole sentence works too ("nous avons 30 véhicules"): the mention of the fact is looked
    for first, then the whole text is read as the value.
    """
    in_text = facts_in_text(engine, text, [key], amount_hint=key)
    if key in in_text:
        return in_text[key]
    raw = text.strip()
    if engine.knowledge.facts[key].type != "choix":
        # Keep only the number and its unit: "nous en avons 30" → "30".
        plain = _plain(raw)
        match = re.search(r"-?\d[\d\s.,]*(?:\s*\w+){0,3}", plain)
        if match and not _only_words(plain):
            raw = plain[match.start() :]
    else:
        plain = _plain(raw)
        kinds = [kind for kind, pattern in _WORKS.items() if re.search(pattern, plain)]
        if key == "nature_travaux" and len(kinds) == 1:
            return kinds[0]
    return engine.parse_fact(key, raw)


def _only_words(text: str) -> bool:
    return not re.search(r"\d", text)


# --- which obligation a follow-up is about ---------------------------------------------------


def find_obligation(
    knowledge: Knowledge, text: str, among: Iterable[str] | None = None
) -> str | None:
    """The obligation a message names ("pourquoi le SPASER ?"), by its keywords, or None.

    The longest keyword found wins, so "plastique à usage unique" beats "plastique"; `among`
    restricts the search to the obligations shown to the user.
    """
    folded = f" {fold(text)} "
    allowed = set(among) if among is not None else None
    best: tuple[int, str] | None = None
    for obligation in knowledge.obligations:
        if allowed is not None and obligation.id not in allowed:
            continue
        names = [*obligation.mots_cles, obligation.id.replace("_", " ")]
        for name in names:
            key = fold(name)
            if key and f" {key} " in folded and (best is None or len(key) > best[0]):
                best = (len(key), obligation.id)
    return best[1] if best else None


# --- messages ----------------------------------------------------------------------------------


def _reference_line(result: ObligationResult) -> str:
    ref = result.obligation.references[0]
    note = " (sommaire du code)" if ref.url_precision == "code" else ""
    return f"Référence : {ref.texte} — {ref.url}{note}"


def _date_line(result: ObligationResult) -> str:
    depuis = format_date(result.obligation.depuis)
    if result.statut == "a_venir":
        return f"S'appliquera à partir du {depuis}."
    if result.statut == "a_confirmer":
        return f"Si elle vous concerne : en vigueur depuis le {depuis}."
    return f"En vigueur depuis le {depuis}."


def obligation_buttons(obligation_id: str) -> list[dict[str, str]]:
    """The follow-up buttons of one obligation."""
    entity = '{"obligation_id": "' + obligation_id + '"}'
    return [
        {"title": "Détails", "payload": f"/ask_details{entity}"},
        {"title": "Comment faire ?", "payload": f"/ask_levers{entity}"},
        {"title": "Pourquoi ?", "payload": f"/ask_why{entity}"},
    ]


def facts_summary(knowledge: Knowledge, result: Result, unknown: Iterable[str] = ()) -> str:
    """The facts used, said back so that the user can correct them."""
    parts = []
    for key, value in result.faits.items():
        definition = knowledge.facts[key]
        part = definition.phrase.format(valeur=format_fact_value(definition, value))
        if key in result.faits_deduits:
            part += f" (déduit : {result.faits_deduits[key]})"
        parts.append(part)
    text = ""
    if parts:
        text = "Informations utilisées : " + " ; ".join(parts) + "."
    unknown = [u for u in unknown if u in knowledge.facts and u not in result.faits]
    if unknown:
        labels = ", ".join(knowledge.facts[u].libelle for u in unknown)
        text += f" Non renseigné : {labels}."
    return text.strip()


def listing(knowledge: Knowledge, result: Result, unknown: Iterable[str] = ()) -> list[Reply]:
    """The answer of the autodiagnostic: a header, one message per obligation grouped by status
    (en vigueur, à venir, à confirmer), and the legal reminder with the knowledge date."""
    etab = knowledge.wording.etablissements[result.etablissement]
    category = knowledge.categories.label(result.projet)
    counts = {s: len(result.by_status(s)) for s in GROUP_TITLES}  # type: ignore[arg-type]
    header = (
        f"Voici ce que j'ai trouvé pour {etab}, achat « {category} », "
        f"au {format_date(result.date)} : "
        f"{counts['applicable']} en vigueur, {counts['a_venir']} à venir, "
        f"{counts['a_confirmer']} à confirmer."
    )
    summary = facts_summary(knowledge, result, unknown)
    if summary:
        header += (
            " "
            + summary
            + " Dites-moi si une information est fausse (par exemple « en fait 30 véhicules »)."
        )
    replies = [Reply(header)]
    for statut, title in GROUP_TITLES.items():
        for index, item in enumerate(result.by_status(statut)):  # type: ignore[arg-type]
            lines = []
            if index == 0:
                lines.append(f"— {title} —")
            lines.append(f"{item.obligation.titre}")
            lines.append(item.obligation.resume)
            if statut == "a_confirmer" and item.fait is not None:
                lines.append(f"À vérifier : {knowledge.facts[item.fait].libelle}.")
            lines.append(_reference_line(item))
            lines.append(_date_line(item))
            replies.append(Reply("\n".join(lines), obligation_buttons(item.obligation.id)))
    if not result.obligations:
        replies.append(Reply("Je n'ai trouvé aucune obligation particulière pour ce profil."))
    replies.append(
        Reply(
            f"{LEGAL_REMINDER} {knowledge_date_sentence(knowledge)}",
            [{"title": "Récapitulatif à copier", "payload": "/ask_recap"}],
        )
    )
    return replies


def why(engine: Engine, result: Result, obligation_id: str) -> Reply:
    """Why an obligation applies (or does not) to the profile."""
    item = result.get(obligation_id)
    if item is None:
        raise EngineError(f"Obligation inconnue : « {obligation_id} ».")
    text = f"{item.obligation.titre} : {item.pourquoi}"
    if item.statut == "a_confirmer" and item.question:
        text += f"\nPour trancher : {item.question}"
    if item.obligation.incertain and item.obligation.note_incertitude:
        text += f"\nPoint à vérifier : {item.obligation.note_incertitude}"
    return Reply(text, obligation_buttons(obligation_id)[:2] if item.statut != "exclu" else [])


def levers(knowledge: Knowledge, obligation_id: str) -> Reply:
    """How to comply with an obligation: its levers and resources."""
    obligation = knowledge.obligation(obligation_id)
    lines = [f"Comment faire pour « {obligation.titre} » :"]
    for lever in knowledge.levers_of(obligation):
        line = f"• {lever.as_text()}"
        if lever.lien:
            line += f" ({lever.lien})"
        lines.append(line)
    for resource in obligation.ressources:
        lines.append(f"Ressource : {resource.titre} — {resource.url}")
    return Reply("\n".join(lines))


def details(knowledge: Knowledge, result: Result | None, obligation_id: str) -> Reply:
    """Everything known about one obligation: summary, details, references, profile details."""
    obligation = knowledge.obligation(obligation_id)
    lines = [obligation.titre, obligation.resume]
    if obligation.details:
        lines.append(obligation.details)
    item = result.get(obligation_id) if result is not None else None
    if item is not None:
        lines += [f"• {p}" for p in item.precisions]
    for ref in obligation.references:
        note = " (sommaire du code)" if ref.url_precision == "code" else ""
        lines.append(f"Référence : {ref.texte} — {ref.url}{note}")
    lines.append(
        f"Depuis le {format_date(obligation.depuis)}. "
        f"Vérifié le {format_date(obligation.verifie_le)}."
    )
    if obligation.incertain and obligation.note_incertitude:
        lines.append(f"Point à vérifier : {obligation.note_incertitude}")
    lines.append(LEGAL_REMINDER)
    return Reply("\n".join(lines), obligation_buttons(obligation_id)[1:])


def choose_obligation(knowledge: Knowledge, result: Result | None, intent_payload: str) -> Reply:
    """Ask which obligation a follow-up is about, with one button per obligation shown."""
    shown = result.obligations if result is not None else []
    if not shown:
        return Reply(
            "De quelle obligation parlez-vous ? Commencez par me dire qui vous êtes et ce que vous "
            "achetez, par exemple « une commune qui achète des véhicules ».",
        )
    buttons = [
        {
            "title": item.obligation.titre,
            "payload": f'/{intent_payload}{{"obligation_id": "{item.obligation.id}"}}',
        }
        for item in shown[:10]
    ]
    return Reply("De quelle obligation parlez-vous ?", buttons)


GENERAL_LEVERS = ("sourcing_besoin", "criteres_environnement", "clause_insertion", "guichet_vert")


def general_levers(knowledge: Knowledge) -> Reply:
    """Cross-cutting levers, when the question names no obligation and no profile is known."""
    lines = ["Quelques leviers utiles pour tous les achats :"]
    lines += [f"• {knowledge.levers[i].as_text()}" for i in GENERAL_LEVERS if i in knowledge.levers]
    lines.append(
        "Pour des conseils adaptés, dites-moi qui vous êtes et ce que vous achetez "
        "(par exemple « une commune qui achète des véhicules »)."
    )
    return Reply("\n".join(lines), [{"title": "Mes obligations", "payload": "/ask_obligations"}])


# --- questions asked while the autodiagnostic waits for a fact ---------------------------------


def levers_overview(knowledge: Knowledge, result: Result) -> Reply:
    """ "Comment faire ?" asked while a question is pending: the main levers of each obligation
    found so far (applicable and to confirm), shortest first to read."""
    lines = ["Comment faire, pour les obligations trouvées jusqu'ici :"]
    for item in result.obligations:
        titles = [lever.titre for lever in knowledge.levers_of(item.obligation)][:3]
        if titles:
            lines.append(f"• {item.obligation.titre} : {' ; '.join(titles)}.")
    if len(lines) == 1:
        return general_levers(knowledge)
    lines.append("Le détail de chaque levier viendra avec la liste de vos obligations.")
    return Reply("\n".join(lines))


def _condition_sentence(item: ObligationResult) -> str:
    """The sentence of `pourquoi` that states the condition ("… s'applique si …")."""
    sentences = [s.strip() for s in item.pourquoi.split(". ") if s.strip()]
    chosen = [s for s in sentences if "si " in s and not s.startswith("Vous êtes")]
    text = chosen[0] if chosen else item.pourquoi
    return text if text.endswith(".") else text + "."


def why_asked(knowledge: Knowledge, result: Result | None, fact: str) -> Reply:
    """ "Pourquoi ?" asked while fact `fact` is pending: which obligations it decides."""
    definition = knowledge.facts[fact]
    items = [
        item
        for item in (result.obligations if result is not None else [])
        if item.statut == "a_confirmer" and item.fait == fact
    ]
    if not items:
        return Reply(
            f"Je vous pose cette question parce que {definition.libelle} décide si certaines "
            "obligations s'appliquent à vous. Si vous ne le savez pas, répondez « je ne sais "
            "pas » : elles resteront « à confirmer »."
        )
    lines = [
        f"Je vous pose cette question parce que {definition.libelle} décide si "
        + ("cette obligation s'applique :" if len(items) == 1 else "ces obligations s'appliquent :")
    ]
    lines += [f"• {item.obligation.titre} : {_condition_sentence(item)}" for item in items]
    return Reply("\n".join(lines))
