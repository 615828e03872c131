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

from bot.amounts import Mention, find_mentions, search_text
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

_WORKS = {
    "construction": r"\b(construction|construire|batiment neuf|neuve?)\b",
    "renovation": r"\b(renovation|renover|rehabilitation|rehabiliter)\b",
    "demolition": r"\b(demolition|demolir|deconstruction)\b",
}
_CLAUSE_BREAK = re.compile(
    r",\s|;|\?|!|\.\s|\s(?:et|mais|puis|avec|ainsi que|tandis que|alors que|dont)\s"
)
"""Where a clause ends: a number and a cue word tie only within one clause."""
_RIGHT_FILLERS = frozenset({"d", "de", "des", "du"})
"""Words allowed between a number and its unit-like cue after it ("60 M€ d'achats")."""
_LEFT_FILLERS = frozenset({"d", "de", "des", "du", ":", "="})
"""Words allowed between a cue and the number after it ("un marché de 150 000 €")."""


def _plain(text: str) -> str:
    """Lower case, no accents; keeps digits, '.', ',' and '€' for number parsing."""
    folded = fold(text.replace(",", "\x00").replace(".", "\x01").replace("€", " € "))
    return folded.replace("\x00", ",").replace("\x01", ".").replace(" € ", "€").replace("€", " €")


@dataclass(frozen=True)
class UnclearAmount:
    """An amount of a message that no cue word ties to one fact ("2 M€" with no cue, or with
    cues of two facts): the bot asks which fact it is, it never guesses."""

    valeur: FactValue
    faits: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What a message states: the facts taken, and the amounts to ask about by name."""

    faits: dict[str, FactValue]
    incertains: list[UnclearAmount] = field(default_factory=list)


def _compatible(knowledge: Knowledge, mention: Mention, wanted: set[str]) -> list[str]:
    """The facts a number can be, by its unit: € → amounts, m² → areas, none → counts (and
    amounts too when it carries a scale word, "30 millions")."""
    kinds = {mention.kind}
    if mention.kind == "nombre" and mention.scaled:
        kinds.add("montant")
    return [key for key in wanted if knowledge.facts[key].type in kinds]


def _cue_spans(knowledge: Knowledge, plain: str, keys: Iterable[str]) -> list[tuple[str, int, int]]:
    """Every occurrence of a cue word (knowledge `indices`) of the facts `keys`."""
    spans = []
    for key in keys:
        for cue in knowledge.facts[key].indices:
            pattern = rf"(?<!\w){re.escape(search_text(cue))}(?!\w)"
            spans += [(key, m.start(), m.end()) for m in re.finditer(pattern, plain)]
    return spans


def read_facts(
    engine: Engine, text: str, wanted: Iterable[str], pending: str | None = None
) -> Reading:
    """Every fact among `wanted` that the message states ("nos achats annuels sont de 30 M€ et
    ce marché fait 150 000 € HT", "25 véhicules et 30 bus", "une rénovation de 1 200 m²").

    Each number is tied to a fact by the cue words of the facts (knowledge/obligations.yml
    `indices`) in the same clause: a cue right next to it first ("30 bus", "60 M€ d'achats"),
    then one just before it ("un marché de 150 000 €"), then the only fact cued in the clause.
    An amount with no cue, or with cues of two facts, answers the `pending` question when it
    can; otherwise it is returned in `incertains`, to be asked about by name. Vague or bounded
    values ("une vingtaine", "plus de 50 M€") are left out: the form re-asks with an example.
    """
    knowledge = engine.knowledge
    wanted = set(wanted) & set(knowledge.facts)
    plain = search_text(text)
    mentions = find_mentions(text)
    spans = [
        (key, a, b)
        for key, a, b in _cue_spans(knowledge, plain, wanted)
        if not any(m.start < b and a < m.end for m in mentions)
    ]
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(plain)]

    def clause(position: int) -> int:
        return sum(1 for b in breaks if b < position)

    def gap(a: int, b: int) -> list[str]:
        return plain[a:b].split()

    found: dict[str, FactValue] = {}
    unresolved: list[tuple[Mention, list[str], list[str]]] = []  # mention, compatible, cued

    def take(key: str, mention: Mention) -> bool:
        if key in found:
            return True  # said twice: the first one counts
        with contextlib.suppress(EngineError):  # vague mentions are re-asked, not guessed
            found[key] = engine.parse_fact(key, mention.text)
        return True

    for mention in mentions:
        compatible = _compatible(knowledge, mention, wanted)
        if not compatible or not mention.precise:
            continue
        same_kind = _compatible(knowledge, mention, set(knowledge.facts))
        if len(same_kind) == 1:  # its unit decides ("1 200 m²"): one fact has that kind
            take(same_kind[0], mention)
            continue
        here = clause(mention.start)
        cued = [(k, a, b) for k, a, b in spans if k in compatible and clause(a) == here]
        right = {
            k for k, a, _ in cued if a >= mention.end and set(gap(mention.end, a)) <= _RIGHT_FILLERS
        }
        left = {
            k
            for k, _, b in cued
            if b <= mention.start and set(gap(b, mention.start)) <= _LEFT_FILLERS
        }
        if len(right) == 1:
            take(right.pop(), mention)
        elif not right and len(left) == 1:
            take(left.pop(), mention)
        else:
            unresolved.append((mention, compatible, sorted({k for k, _, _ in cued})))

    unclear: list[UnclearAmount] = []
    for mention, compatible, cued_facts in unresolved:
        candidates = [k for k in cued_facts if k not in found]
        if len(candidates) == 1:
            # The only fact cued in the clause, or the one left once the other number of the
            # clause took its own cue ("le marché fait 150 000 € sur 30 M€ d'achats").
            take(candidates[0], mention)
            continue
        amounts = sorted(k for k in compatible if knowledge.facts[k].type == "montant")
        if (
            pending in amounts
            and pending not in found
            and (pending in cued_facts or not cued_facts)
        ):
            take(pending, mention)  # it answers the question asked
            continue
        choices = [k for k in amounts if k in cued_facts] if cued_facts else amounts
        if len(choices) >= 2 and (cued_facts or mention.kind == "montant"):
            with contextlib.suppress(EngineError):  # vague: re-asked, not asked about
                value = engine.parse_fact(choices[0], mention.text)
                unclear.append(UnclearAmount(value, tuple(choices)))

    if "nature_travaux" in wanted:
        raw = _plain(text)
        kinds = [kind for kind, pattern in _WORKS.items() if re.search(pattern, raw)]
        if len(kinds) == 1:  # "rénovation ou construction ?" decides nothing
            found["nature_travaux"] = kinds[0]
    return Reading(found, unclear)


def facts_in_text(
    engine: Engine, text: str, wanted: Iterable[str], amount_hint: str | None = None
) -> dict[str, FactValue]:
    """Facts among `wanted` that the message states clearly (see `read_facts`); `amount_hint`
    is the question pending, which a bare amount ("60 M€") answers."""
    return read_facts(engine, text, wanted, amount_hint).faits


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
            flag = " (à vérifier)" if item.obligation.incertain else ""
            lines.append(f"{item.obligation.titre}{flag}")
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
    if obligation.portee:
        lines.append(f"Portée : {obligation.portee}")
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


# --- an amount that no cue ties to one fact ---------------------------------------------------

_TO_THE = (("le ", "au "), ("les ", "aux "), ("la ", "à la "), ("l'", "à l'"))


def _to(libelle: str) -> str:
    """ "le montant estimé du marché" → "au montant estimé du marché"."""
    for article, contracted in _TO_THE:
        if libelle.startswith(article):
            return contracted + libelle[len(article) :]
    return "à " + libelle


def unclear_amount_question(knowledge: Knowledge, valeur: FactValue, faits: list[str]) -> Reply:
    """ "Les 2 000 000 € HT que vous indiquez correspondent-ils au montant annuel de vos achats ou
    au montant estimé du marché ?", one button per fact and "Je ne sais pas"."""
    definitions = [knowledge.facts[key] for key in faits]
    said = format_fact_value(definitions[0], valeur)
    options = " ou ".join(_to(d.libelle) for d in definitions)
    buttons = [
        {
            "title": d.libelle[0].upper() + d.libelle[1:],
            "payload": f'/inform{{"diag_fact": "{key}"}}',
        }
        for key, d in zip(faits, definitions, strict=True)
    ]
    buttons.append({"title": "Je ne sais pas", "payload": DONT_KNOW_PAYLOAD})
    return Reply(f"Les {said} que vous indiquez correspondent-ils {options} ?", buttons)


def fact_named(knowledge: Knowledge, text: str, among: Iterable[str]) -> str | None:
    """The only fact of `among` whose cue words the text uses ("c'est le marché"), or None."""
    plain = search_text(text)
    named = {key for key, _, _ in _cue_spans(knowledge, plain, among)}
    return named.pop() if len(named) == 1 else None
