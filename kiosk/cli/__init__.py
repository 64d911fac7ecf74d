"""The operator's commands of `python main.py …`: one module a command, each with
`add(subparsers)` that declares it and `run(args, settings) -> int` that carries it out."""

from kiosk.cli import backups, cards, doctor, exports, imports, members, staff, sync

COMMANDS = {
    "import": imports,
    "export": exports,
    "cards": cards,
    "staff": staff,
    "member": members,
    "sync": sync,
    **dict.fromkeys(backups.NAMES, backups),
    **dict.fromkeys(doctor.NAMES, doctor),
}
OWN_DATABASE = backups.OWN_DATABASE  # commands that open kiosk.db themselves, if at all
# Commands that load the settings themselves and only look: boot neither stops on bad settings nor
# writes the log or opens kiosk.db for them (the doctor reports all three).
OWN_SETTINGS = set(doctor.NAMES)
