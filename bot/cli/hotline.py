"""`python -m bot hotline …`: hotline accounts and hand-over tickets (CONTRACT §4).

python -m bot hotline add-user LOGIN [--role admin]   # password read from stdin
python -m bot hotline users
python -m bot hotline tickets [--statut open|taken|closed] [--json]
python -m bot hotline ticket ID
python -m bot hotline reply ID --agent LOGIN "texte"
python -m bot hotline close ID --agent LOGIN
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from bot.cli import CliError


def register(subparsers: Any) -> None:
    """Add the `hotline` command."""
    parser = subparsers.add_parser("hotline", help="Comptes de la hotline et tickets de transfert")
    actions = parser.add_subparsers(dest="hotline_action", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add-user", help="Créer un compte (mot de passe lu sur l'entrée)")
    add.add_argument("login")
    add.add_argument("--role", default="agent", choices=["agent", "admin"])
    add.set_defaults(handler=_add_user)

    password = actions.add_parser("set-password", help="Changer un mot de passe (et débloquer)")
    password.add_argument("login")
    password.set_defaults(handler=_set_password)

    users = actions.add_parser("users", help="Lister les comptes")
    users.set_defaults(handler=_users)

    tickets = actions.add_parser("tickets", help="Lister les tickets (file d'attente)")
    tickets.add_argument("--statut", choices=["open", "taken", "closed"])
    tickets.add_argument("--json", action="store_true")
    tickets.set_defaults(handler=_tickets)

    show = actions.add_parser("ticket", help="Afficher un ticket et sa transcription")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_show)

    answer = actions.add_parser("reply", help="Répondre à l'usager d'un ticket")
    answer.add_argument("id", type=int)
    answer.add_argument("texte")
    answer.add_argument("--agent", required=True)
    answer.set_defaults(handler=_reply)

    done = actions.add_parser("close", help="Clore un ticket (l'assistant reprend)")
    done.add_argument("id", type=int)
    done.add_argument("--agent", required=True)
    done.set_defaults(handler=_close)


def _read_password() -> str:
    """The password: typed twice on a terminal, else the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez : ") != first:
            raise CliError("les deux saisies diffèrent.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _add_user(args: argparse.Namespace) -> int:
    from bot.hotline.accounts import AccountError, add_user

    try:
        account = add_user(args.login, _read_password(), role=args.role)
    except AccountError as error:
        raise CliError(str(error)) from None
    print(f"Compte créé : {account.login} ({account.role}).")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    from bot.hotline.accounts import AccountError, set_password

    try:
        set_password(args.login, _read_password())
    except AccountError as error:
        raise CliError(str(error)) from None
    print(f"Mot de passe changé : {args.login}.")
    return 0


def _users(args: argparse.Namespace) -> int:
    from bot.hotline.accounts import list_users

    for account in list_users():
        locked = (
            f" (bloqué jusqu'à {account.locked_until:%H:%M} UTC)" if account.locked_until else ""
        )
        print(f"{account.login}\t{account.role}{locked}")
    return 0


def _tickets(args: argparse.Namespace) -> int:
    from bot.hotline.tickets import list_tickets

    tickets = list_tickets(args.statut)
    if args.json:
        rows = [
            {
                "id": t.id,
                "statut": t.status,
                "canal": t.channel,
                "conversation": t.conversation_id,
                "cree_le": t.created_at.isoformat(),
                "conseiller": t.agent_login,
                "question": t.question,
            }
            for t in tickets
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for t in tickets:
        print(f"n° {t.id}\t{t.status}\t{t.created_at:%Y-%m-%d %H:%M} UTC\t{t.question or ''}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from bot.hotline.summary import AUTHOR_LABELS
    from bot.hotline.tickets import TicketError, get_ticket

    try:
        ticket = get_ticket(args.id)
    except TicketError as error:
        raise CliError(str(error)) from None
    print(f"Ticket n° {ticket.id} ({ticket.status}, canal {ticket.channel})\n")
    print(ticket.summary + "\n")
    for message in ticket.messages:
        print(f"[{message.created_at:%H:%M}] {AUTHOR_LABELS[message.author]} : {message.text}")
    return 0


def _reply(args: argparse.Namespace) -> int:
    from bot.hotline.tickets import TicketError, reply

    try:
        reply(args.id, args.agent, args.texte)
    except TicketError as error:
        raise CliError(str(error)) from None
    print("Réponse enregistrée : elle s'affichera dans la conversation de l'usager.")
    return 0


def _close(args: argparse.Namespace) -> int:
    from bot.hotline.tickets import TicketError, close

    try:
        close(args.id, args.agent)
    except TicketError as error:
        raise CliError(str(error)) from None
    print(f"Ticket n° {args.id} clos : l'assistant reprend la conversation.")
    return 0
