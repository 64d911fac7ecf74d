"""The kiosk program: `yinling-kiosk` once installed, `python main.py` in a checkout.

yinling-kiosk [--config FILE] [--data-dir DIR]              start the kiosk
yinling-kiosk [--config FILE] COMMAND …                     an operator's command
                                                            (kiosk/cli/, `--help` lists them)
"""

import sys

from devices import probe
from kiosk import boot


def main(argv: list[str] | None = None) -> int:
    args = boot.parse_args(sys.argv[1:] if argv is None else argv)
    settings = boot.start(args)
    args.look_at_devices = probe.look  # the doctor's: kiosk/ looks at devices only through what it is given
    status = boot.run_command(args, settings)
    if status is not None:
        return status
    from screens.app import run  # Kivy only for the kiosk itself, not for a command

    return run(settings)
