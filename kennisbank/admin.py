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


def cmd_reindex(args) -> int:
    from kennisbank.maintenance import reindex

    report = reindex(_settings(args), progress=sys.stderr.isatty())
    summary = report.summary()
    print(f"Nieuwe index klaar en in gebruik: {summary['added']} publicaties in {report.seconds:.1f} s.")
    return 0


def cmd_backup(args) -> int:
    if args.url:  # the running server writes it (it owns the data directory); we fetch it
        from kennisbank.remote import fetch_backup

        print(f"Back-up geschreven: {fetch_backup(args.url, args.destination, with_secret_key=args.with_secret_key)}")
        return 0
    from kennisbank.maintenance import backup

    written = backup(_settings(args), args.destination, with_secret_key=args.with_secret_key)
    print(f"Back-up geschreven: {written}" + (" (met de sleutel secret_key)" if args.with_secret_key else ""))
    return 0


def cmd_restore(args) -> int:
    from kennisbank.maintenance import restore

    settings = _settings(args)
    restore(settings, args.source, force=args.force)
    print(f"Back-up teruggezet in {settings.data_dir}.")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("reindex", help="build a new index beside the old one from the kept files; switch when complete")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("backup", help="write a consistent copy of the data directory (.tar.gz, mode 0600)")
    p.add_argument("destination")
    p.add_argument("--with-secret-key", action="store_true",
                   help="include secret_key (sessions survive a restore; whoever holds the backup can sign them)")
    p.add_argument("--url", help="ask the running server at this URL for the backup (KENNISBANK_TOKEN: a token)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="put a backup in place of the data directory (the server must be stopped)")
    p.add_argument("source")
    p.add_argument("--force", action="store_true", help="replace a data directory that is not empty")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("users", help="staff accounts and API tokens")
    p.add_argument("action", choices=["add", "passwd", "token", "list"])
    p.add_argument("name", nargs="?", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(func=cmd_users)
