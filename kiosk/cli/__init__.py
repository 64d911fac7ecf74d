"""The operator's commands of `python main.py …`: one module a command, each with
`add(subparsers)` that declares it and `run(args, settings) -> int` that carries it out."""
from kiosk.cli import cards, members
from kiosk.cli import staff
from kiosk.cli import exports, imports

COMMANDS = {"import": imports, "export": exports, "cards": cards, "staff": staff, "member": members}
