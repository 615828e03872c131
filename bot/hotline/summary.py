"""The French summary a hotline agent reads when a conversation is handed over."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

AUTHOR_LABELS = {"user": "Usager", "bot": "Assistant", "agent": "Conseiller", "system": "Note"}
LAST_MESSAGES = 6
"""How many of the last messages the summary quotes (the ticket keeps them in its transcript)."""


def _quote(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_summary(
    *,
    profile: Mapping[str, str],
    obligations: Sequence[str] = (),
    contacts: Sequence[str] = (),
    question: str | None = None,
    confidence: float | None = None,
    last_messages: Sequence[tuple[str, str]] = (),
) -> str:
    """A few lines: profile (label → value, already in French), what was shown, the open
    question, how sure the NLU was, and the last messages."""
    lines: list[str] = []
    known = [f"{label} : {value}" for label, value in profile.items() if value]
    lines.append("Profil : " + (" ; ".join(known) if known else "non renseigné") + ".")
    if obligations:
        lines.append("Obligations déjà présentées : " + " ; ".join(obligations) + ".")
    else:
        lines.append("Aucune obligation n'a encore été présentée.")
    if contacts:
        lines.append("Contacts déjà donnés : " + " ; ".join(contacts) + ".")
    if question:
        lines.append(f"Question en suspens : « {_quote(question)} »")
    if confidence is not None:
        sure = "bonne" if confidence >= 0.8 else "moyenne" if confidence >= 0.55 else "faible"
        figure = f"{confidence:.2f}".replace(".", ",")
        lines.append(f"Compréhension du dernier message : {sure} (confiance {figure}).")
    if last_messages:
        lines.append("Derniers messages :")
        lines.extend(
            f"- {AUTHOR_LABELS.get(author, author)} : {_quote(text)}"
            for author, text in last_messages[-LAST_MESSAGES:]
        )
    return "\n".join(lines)
