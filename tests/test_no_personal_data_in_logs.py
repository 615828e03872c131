"""No personal data in the logs (docs/privacy.md): a logging call in our code never passes a
name, an e-mail, a message text or a slot value the user typed.

Static: the arguments of every `logger.<level>(…)` / `logging.<level>(…)` call are scanned for
the identifiers that carry such data in this codebase. Exceptions may still be logged (their
messages are ours); a new call that needs one of these names must mask it first.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "actions", "channels", "rasa_components")
LEVELS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
PERSONAL = {
    "email",
    "name",
    "organisation",
    "text",
    "texte",
    "message",
    "question",
    "summary",
    "slot_value",
    "value",
    "latest_message",
    "transcript",
    "sender_id",
}


def _identifiers(node: ast.AST) -> set[str]:
    """Variable and attribute names read by an expression; a called method's name (such as an
    action's `self.name()`) is not data."""
    called = {id(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute) and id(child) not in called:
            found.add(child.attr)
    return found


def _offending_calls() -> list[str]:
    offending = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for call in ast.walk(tree):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in LEVELS
                    and isinstance(call.func.value, ast.Name)
                    and call.func.value.id in {"logger", "log", "logging"}
                ):
                    continue
                used = set().union(*(_identifiers(arg) for arg in call.args[1:]), set())
                used |= set().union(*(_identifiers(k.value) for k in call.keywords), set())
                if used & PERSONAL:
                    where = path.relative_to(ROOT)
                    offending.append(f"{where}:{call.lineno} {sorted(used & PERSONAL)}")
    return offending


def test_logging_calls_pass_no_personal_field() -> None:
    assert _offending_calls() == []


def test_the_scan_sees_a_bad_call() -> None:
    tree = ast.parse('logger.info("booked %s", request.email)')
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert isinstance(call, ast.Call)
    assert _identifiers(call.args[1]) & PERSONAL == {"email"}
