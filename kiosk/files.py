"""File names that never overwrite what staff saved before."""

from pathlib import Path


def free_path(path: Path) -> Path:
    """`path` if nothing is there yet, else the first free …_2, …_3 beside it (before the suffix;
    a folder has none)."""
    n, free = 1, path
    while free.exists():
        n += 1
        free = path.with_name(f"{path.stem}_{n}{path.suffix}")
    return free
