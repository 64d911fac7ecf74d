"""python -m bench [name ...] [--cards N]: run the benchmarks (all but soak by default) and print a
summary table.  --cards sets how many cards the soak signs in."""

import argparse
import importlib
import sys
import traceback

from bench import Figure, soak

BENCHMARKS = (
    "tenyear",
    "signin",
    "coldstart",
    "devices",
    "printer",
    "screen",
    "enrol",
    "selfservice",
    "staffdata",
    "sync",
    "idhash",
    "console",
    "care",
    "lottery",
)
LONG = ("soak",)  # run only when named: the full soak takes the better part of an hour


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*")
    parser.add_argument("--cards", type=int, help="cards the soak signs in (default 10,000)")
    parser.add_argument("--minutes", type=float, default=0, help="the soak stops after this long, done or not")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS + LONG]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS + LONG)}", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    for name in args.names or BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            figures += module.run(args.cards or soak.CARDS, args.minutes) if name == "soak" else module.run()
        except Exception:
            traceback.print_exc()
            figures.append(Figure(name, "could not run (see the traceback above)", "run", False))
    _summary(figures)
    return 0 if all(f.ok is not False for f in figures) else 1


def _summary(figures: list[Figure]) -> None:
    print("\n== summary ==")
    width = max(len(f.name) for f in figures)
    for f in figures:
        target = f"  [target {f.target}: {f.verdict()}]" if f.target else ""
        print(f"{f.name:<{width}}  {f.value}{target}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
