"""`triage users ...`: staff accounts. There is no default account; this is how the first one is made."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.users import STAFF_ROLES, UserError, UserStore


def add_user_commands(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="staff accounts (clinician, compliance, admin)")
    actions = users.add_subparsers(dest="users_command", required=True)

    create = actions.add_parser("create", help="make an account; the password is prompted for (or read from stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=STAFF_ROLES)
    create.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    create.set_defaults(func=_create)

    password = actions.add_parser("password", help="set a new password; every token issued before stops working")
    password.add_argument("--username", required=True)
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    password.set_defaults(func=_set_password)

    role = actions.add_parser("role", help="give an account another role; its tokens stop working")
    role.add_argument("--username", required=True)
    role.add_argument("--role", required=True, choices=STAFF_ROLES)
    role.set_defaults(func=_set_role)

    actions.add_parser("list", help="accounts and their roles").set_defaults(func=_list)
    for name, disabled in (("disable", True), ("enable", False)):
        command = actions.add_parser(
            name, help=f"{name} an account" + ("; its tokens stop working" if disabled else "")
        )
        command.add_argument("--username", required=True)
        command.set_defaults(func=lambda args, disabled=disabled: _set_disabled(args, disabled))


def _store() -> UserStore:
    from app.settings import Settings
    from app.users import user_store

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return user_store(settings.resolved_database_url)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise UserError("the passwords do not match")
    return first


def _create(args: argparse.Namespace) -> int:
    try:
        password = _read_password(args)
        user = _store().create(args.username, args.role, password)
    except UserError as exc:
        print(f"triage users create: {exc}", file=sys.stderr)
        return 2
    print(f"created {user.role} account {user.username!r}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    try:
        password = _read_password(args)
        user = _store().set_password(args.username, password)
    except UserError as exc:
        print(f"triage users password: {exc}", file=sys.stderr)
        return 2
    print(f"{user.username}: new password set; earlier sign-ins revoked")
    return 0


def _set_role(args: argparse.Namespace) -> int:
    try:
        user = _store().set_role(args.username, args.role)
    except UserError as exc:
        print(f"triage users role: {exc}", file=sys.stderr)
        return 2
    print(f"{user.username}: role {user.role}; earlier sign-ins revoked")
    return 0


def _list(_args: argparse.Namespace) -> int:
    for user in _store().list():
        print(f"{user.username}\t{user.role}\t{'disabled' if user.disabled else 'active'}")
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    try:
        user = _store().set_disabled(args.username, disabled)
    except UserError as exc:
        print(f"triage users: {exc}", file=sys.stderr)
        return 2
    print(f"{user.username}: {'disabled' if user.disabled else 'active'}")
    return 0
