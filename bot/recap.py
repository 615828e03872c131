"""Plain-text recap of an autodiagnostic, to copy into a note or save as a file."""

from __future__ import annotations

from collections.abc import Iterable

from bot.diagnostic import GROUP_TITLES, LEGAL_REMINDER, facts_summary, knowledge_date_sentence
from bot.engine import Result, format_date
from bot.knowledge import Knowledge


def build_recap(knowledge: Knowledge, result: Result, unknown: Iterable[str] = ()) -> str:
    """The recap: profile, facts, then each obligation by status with why, references, date and
    levers, and the legal reminder with the date the knowledge base was checked."""
    category = knowledge.categories.label(result.projet)
    lines = [
        "Autodiagnostic des obligations d'achat durable — Assistant Achats Durables",
        f"Profil : {knowledge.etablissements.label(result.etablissement)} — achat « {category} »",
        f"Date de référence : {format_date(result.date)}",
    ]
    summary = facts_summary(knowledge, result, unknown)
    if summary:
        lines.append(summary)
    for statut, title in GROUP_TITLES.items():
        items = result.by_status(statut)  # type: ignore[arg-type]
        if not items:
            continue
        lines += ["", f"{title.upper()} ({len(items)})"]
        for item in items:
            o = item.obligation
            lines += ["", f"* {o.titre}", f"  {o.resume}", f"  Pourquoi : {item.pourquoi}"]
            if item.statut == "a_confirmer" and item.question:
                lines.append(f"  À vérifier : {item.question}")
            lines += [f"  - {p}" for p in item.precisions]
            since = "À partir du" if item.statut == "a_venir" else "Depuis le"
            lines.append(f"  {since} {format_date(o.depuis)}")
            lines += [f"  Référence : {r.texte} — {r.url}" for r in o.references]
            lines.append("  Leviers d'action :")
            lines += [f"  - {lever.as_text()}" for lever in knowledge.levers_of(o)]
            if o.incertain and o.note_incertitude:
                lines.append(f"  Point à vérifier : {o.note_incertitude}")
    if not result.obligations:
        lines += ["", "Aucune obligation particulière trouvée pour ce profil."]
    lines += [
        "",
        f"{LEGAL_REMINDER} {knowledge_date_sentence(knowledge)}",
    ]
    return "\n".join(lines) + "\n"


def recap_filename(result: Result) -> str:
    """File name of the downloadable recap: "autodiagnostic-commune-vehicules-2026-11-30.txt"."""
    return f"autodiagnostic-{result.etablissement}-{result.projet}-{result.date.isoformat()}.txt"
