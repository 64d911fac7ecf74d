"""The operator's commands of `python main.py …`: one module a command, each with
`add(subparsers)` that declares it and `run(args, settings) -> int` that carries it out."""

from kiosk.cli import cards, exports, imports, members, staff, sync

COMMANDS = {"import": imports, "export": exports, "cards": cards, "staff": staff, "member": members, "sync": sync}
