"""python -m bench [name ...]: run the benchmarks (all by default) and print a summary table."""

import importlib
import sys
import traceback

from bench import Figure

BENCHMARKS = ("tenyear", "signin", "coldstart", "devices", "screen", "selfservice", "staffdata", "sync", "idhash")


def main(argv: list[str]) -> int:
    unknown = [n for n in argv if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    for name in argv or BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        try:
            figures += importlib.import_module(f"bench.{name}").run()
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
