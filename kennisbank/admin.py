"""Administration commands of `kennisbank`: staff accounts and tokens, reindex, backup and restore.

    kennisbank users add NAME [--password-stdin]     create a staff account (password asked twice, or stdin)
    kennisbank users passwd NAME [--password-stdin]  set a new password
    kennisbank users passwd NAME                     (also revokes the user's sessions and tokens)
    kennisbank users token NAME [--name L] [--expires DAYS]  print a new API token (Authorization: Bearer ...)
    kennisbank users tokens [NAME]                   list tokens (id, name, expiry, last use; never the token)
    kennisbank users revoke NAME [--token ID]        revoke one token, or every token and session of NAME
    kennisbank users list
    kennisbank reindex                               build a new index beside the old one; switch when complete
    kennisbank backup DEST [--with-secret-key]       a consistent copy of the data directory (0600)
    kennisbank backup DEST --url URL                 the same, made by the running server
    kennisbank restore SRC                           put a backup in place (the server must be stopped)
"""

from __future__ import annotations

import getpass
import sys

from kennisbank import maintenance, remote
from kennisbank.core.accounts import Accounts, console_path
from kennisbank.core.errors import BadRequest
from kennisbank.core.settings import Settings


def _settings(args) -> Settings:
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
    accounts = Accounts(console_path(_settings(args)))
    cli = "(command line)"
    try:
        if args.action == "list":
            for name in accounts.users():
                print(name)
        elif args.action == "add":
            accounts.add_user(args.name, _password(args))
            accounts.audit(cli, "user-add", detail_user=args.name)
            print(f"Gebruiker {args.name} aangemaakt.")
        elif args.action == "passwd":
            revoked = accounts.set_password(args.name, _password(args))
            accounts.audit(cli, "user-passwd", detail_user=args.name, **revoked)
            print(f"Wachtwoord van {args.name} gewijzigd; {revoked['sessions']} sessie(s) en {revoked['tokens']} "
                  "token(s) ingetrokken.")
        elif args.action == "token":
            token = accounts.new_token(args.name, args.label or "", args.expires)
            accounts.audit(cli, "token-new", detail_user=args.name, token_name=args.label or "",
                           expires_days=args.expires)
            print(token)
        elif args.action == "tokens":
            rows = accounts.tokens(args.name or None)
            for t in rows:
                state = "verlopen" if t["expired"] else f"verloopt {t['expires_at']}" if t["expires_at"] else "verloopt niet"
                print(f"{t['id']}  {t['user']:<16} {t['name'] or '-':<24} gemaakt {t['created_at']}  {state}  "
                      f"laatst gebruikt {t['last_used_at'] or 'nooit'}")
            if not rows:
                print("Geen tokens.")
        elif args.action == "revoke":
            if not accounts.exists(args.name):
                raise BadRequest(f"Gebruiker {args.name!r} bestaat niet.")
            if args.token:
                if not accounts.revoke_token(args.name, args.token):
                    raise BadRequest(f"{args.name} heeft geen token {args.token} (zie `kennisbank users tokens`).")
                accounts.audit(cli, "token-revoke", detail_user=args.name, token=args.token)
                print(f"Token {args.token} van {args.name} ingetrokken.")
            else:
                tokens, sessions = accounts.revoke_tokens(args.name), accounts.revoke_sessions(args.name)
                accounts.audit(cli, "access-revoke", detail_user=args.name, tokens=tokens, sessions=sessions)
                print(f"{tokens} token(s) en {sessions} sessie(s) van {args.name} ingetrokken.")
    finally:
        accounts.close()
    return 0


def cmd_reindex(args) -> int:
    report = maintenance.reindex(_settings(args), progress=sys.stderr.isatty())
    summary = report.summary()
    print(f"Nieuwe index klaar en in gebruik: {summary['added']} publicaties in {report.seconds:.1f} s.")
    return 0


def cmd_backup(args) -> int:
    if args.url:  # the running server writes it (it owns the data directory); we fetch it
        token = sys.stdin.readline().strip() if args.token_stdin else ""
        print(f"Back-up geschreven: {remote.fetch_backup(args.url, args.destination, token, args.with_secret_key)}")
        return 0
    written = maintenance.backup(_settings(args), args.destination, with_secret_key=args.with_secret_key)
    print(f"Back-up geschreven: {written}" + (" (met de sleutel secret_key)" if args.with_secret_key else ""))
    return 0


def cmd_restore(args) -> int:
    settings = _settings(args)
    maintenance.restore(settings, args.source, force=args.force)
    print(f"Back-up teruggezet in {settings.data_dir}.")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("reindex", help="build a new index beside the old one from the kept files; switch when complete")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("backup", help="write a consistent copy of the data directory (.tar.gz, mode 0600)")
    p.add_argument("destination")
    p.add_argument("--with-secret-key", action="store_true",
                   help="include secret_key (sessions survive a restore; whoever holds the backup can sign them)")
    p.add_argument("--url", help="let the running server at this URL make the backup (it owns the data directory)")
    p.add_argument("--token-stdin", action="store_true", help="with --url: read a staff token from stdin")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="put a backup in place of the data directory (the server must be stopped)")
    p.add_argument("source")
    p.add_argument("--force", action="store_true", help="replace a data directory that is not empty")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("users", help="staff accounts and API tokens")
    p.add_argument("action", choices=["add", "passwd", "token", "tokens", "revoke", "list"])
    p.add_argument("name", nargs="?", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--name", dest="label", help="token: what the token is for (shown by `users tokens`)")
    p.add_argument("--expires", type=float, metavar="DAYS", help="token: valid for this many days (default: no end)")
    p.add_argument("--token", metavar="ID", help="revoke: only this token (its id from `users tokens`); "
                                                 "without it every token and session of the user")
    p.set_defaults(func=cmd_users)
