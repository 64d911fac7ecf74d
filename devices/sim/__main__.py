"""python -m devices.sim idcard|qr|printer [--link PATH] [--script FILE]

Creates a pty that behaves like the device and prints its path; point the kiosk's port setting
at it (or at --link, a stable name like /dev/serial/by-id/…).  Commands come from --script, or
are typed; `help` lists them.
"""

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.sim", description=__doc__.split("\n")[0])
    parser.add_argument("device", choices=["idcard", "qr", "printer"])
    parser.add_argument("--link", help="also reach the pty under this path; it survives unplug/replug")
    parser.add_argument("--script", help="read commands from this file instead of the terminal")
    args = parser.parse_args(argv)
    if args.device == "printer":
        from devices.sim import printer

        return printer.run(args.link, args.script)
    if args.device == "qr":
        from devices.sim import qr

        return qr.run(args.link, args.script)
    from devices.sim import idcard

    sim = idcard.SamSim(args.link)
    print(f"ID-card reader simulator on {sim.path}   (type `help` for commands)", flush=True)
    try:
        if args.script:
            with open(args.script, encoding="utf-8") as lines:
                idcard.run_commands(sim, lines, sys.stdout)
        else:
            idcard.run_commands(sim, sys.stdin, sys.stdout)
    except KeyboardInterrupt:
        pass
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
