"""Administration commands of `kennisbank`: staff accounts and tokens, reindex, backup and restore.

    kennisbank users add NAME [--password-stdin]     create a staff account (password asked twice, or stdin)
    kennisbank users passwd NAME [--password-stdin]  set a new password
    kennisbank users token NAME                      print a new API token (Authorization: Bearer ...)
    kennisbank users list
    kennisbank reindex                               build a new index beside the old one; switch when complete
    kennisbank backup DEST                           a consistent copy of the data directory
    kennisbank restore SRC                           put a backup in place (the server must be stopped)
"""

from __future__ import annotations

import getpass
import sys

from kennisbank.errors import BadRequest


def _settings(args):
    from kennisbank.settings import Settings

    return Settings.load({"data_dir": args.data_dir})


def _password(args) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if getpass.getpass("Nog een keer: ") != password:
            raise BadRequest("De wachtwoorden zijn niet gelijk.")
    return password


def cmd_users(args) -> int:
    from kennisbank.accounts import Accounts, console_path

    accounts = Accounts(console_path(_settings(args)))
    try:
        if args.action == "list":
            for name in accounts.users():
                print(name)
        elif args.action == "add":
            accounts.add_user(args.name, _password(args))
            accounts.audit("(command line)", "user-add", detail_user=args.name)
            print(f"Gebruiker {args.name} aangemaakt.")
        elif args.action == "passwd":
            accounts.set_password(args.name, _password(args))
            accounts.audit("(command line)", "user-passwd", detail_user=args.name)
            print(f"Wachtwoord van {args.name} gewijzigd.")
        elif args.action == "token":
            token = accounts.new_token(args.name)
            accounts.audit("(command line)", "token-new", detail_user=args.name)
            print(token)
    finally:
        accounts.close()
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("users", help="staff accounts and API tokens")
    p.add_argument("action", choices=["add", "passwd", "token", "list"])
    p.add_argument("name", nargs="?", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(func=cmd_users)
