"""The operator's commands of `python main.py …`: one module a command, each with
`add(subparsers)` that declares it and `run(args, settings) -> int` that carries it out."""

from kiosk.cli import backups, cards, exports, imports, members, setup, staff, sync, update

COMMANDS = {
    "import": imports,
    "export": exports,
    "cards": cards,
    "staff": staff,
    "member": members,
    "sync": sync,
    "setup": setup,
    "update": update,
    **dict.fromkeys(backups.NAMES, backups),
}
OWN_DATABASE = backups.OWN_DATABASE | set(update.NAMES)  # commands that open kiosk.db themselves, if at all
NO_SETTINGS = setup.NO_SETTINGS  # commands that run before there is a site file
