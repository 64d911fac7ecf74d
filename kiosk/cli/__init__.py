"""The operator's commands of `python main.py …`: one module a command, each with
`add(subparsers)` that declares it and `run(args, settings) -> int` that carries it out."""

from kiosk.cli import backups, cards, doctor, exports, imports, members, setup, staff, sync, update

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
    **dict.fromkeys(doctor.NAMES, doctor),
}
OWN_DATABASE = backups.OWN_DATABASE | set(update.NAMES)  # commands that open kiosk.db themselves, if at all
# Commands boot.start loads no site file for, and writes no log or kiosk.db: setup runs before there
# is a site file; the doctor loads it itself and only looks (a broken one is its first line).
NO_SETTINGS = setup.NO_SETTINGS | set(doctor.NAMES)
