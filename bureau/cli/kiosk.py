"""kiosk add --site CODE [--name N] [--url URL] [--keys FILE] [--out FILE] (the kiosk's [site],
[kiosk], [staff], [sync] and, with --keys, [security] settings: what `yinling-kiosk setup` reads)
| kiosk list | kiosk rotate ID [--grace-hours 72] [--url URL] [--keys FILE] [--out FILE] | kiosk revoke ID."""

import argparse
import os
from datetime import timedelta
from pathlib import Path

from bureau import admin
from bureau.cli.common import when

KEYS_HELP = "a TOML file with the bureau's [security] id_hash_key and card_key, copied into the settings"
OUT_HELP = "write the settings to FILE, readable by its owner only (they hold the kiosk's key), not to the screen"


def add(commands, db_option: argparse.ArgumentParser) -> None:
    kiosk = commands.add_parser("kiosk", help="register kiosks and manage their keys").add_subparsers(
        dest="action", required=True
    )
    p = kiosk.add_parser("add", parents=[db_option], help="a new kiosk of a site, with its key")
    p.add_argument("--site", required=True, metavar="CODE")
    p.add_argument("--name", default="")
    p.add_argument("--url", default=admin.DEFAULT_URL, help="the bureau's address as kiosks reach it")
    p.add_argument("--keys", type=Path, metavar="FILE", help=KEYS_HELP)
    p.add_argument("--out", type=Path, metavar="FILE", help=OUT_HELP)
    kiosk.add_parser("list", parents=[db_option], help="the kiosks and their sync state")
    p = kiosk.add_parser("rotate", parents=[db_option], help="a new key; the old one works for a while")
    p.add_argument("kiosk_id", metavar="ID")
    p.add_argument("--grace-hours", type=float, default=admin.DEFAULT_GRACE / timedelta(hours=1))
    p.add_argument("--url", default=admin.DEFAULT_URL, help="the bureau's address as kiosks reach it")
    p.add_argument("--keys", type=Path, metavar="FILE", help=KEYS_HELP)
    p.add_argument("--out", type=Path, metavar="FILE", help=OUT_HELP)
    p = kiosk.add_parser("revoke", parents=[db_option], help="refuse every later request of a kiosk")
    p.add_argument("kiosk_id", metavar="ID")


def run(args: argparse.Namespace) -> int:
    if args.action == "add":
        keys = admin.security_keys(args.keys) if args.keys else None  # before the kiosk is made
        _give(admin.site_file(admin.add_kiosk(args.site, args.name), args.url, keys), args.out)
    elif args.action == "list":
        print("kiosk\tsite\tepoch\tacked_seq\tlast_seen\trevoked")
        for k in admin.kiosks():
            print(f"{k.kiosk_id}\t{k.site.code}\t{k.epoch}\t{k.acked_seq}\t{when(k.last_seen)}\t{when(k.revoked_at)}")
    elif args.action == "rotate":
        keys = admin.security_keys(args.keys) if args.keys else None
        kiosk = admin.rotate_key(args.kiosk_id, timedelta(hours=args.grace_hours))
        _give(admin.site_file(kiosk, args.url, keys), args.out)
    else:
        kiosk = admin.revoke(args.kiosk_id)
        print(f"kiosk {kiosk.kiosk_id} revoked at {when(kiosk.revoked_at)}")
    return 0


def _give(settings: str, out: Path | None) -> None:
    """The settings on the screen, or in `out` with mode 0600: a shell's redirection would make
    the file with the shell's umask, readable by every user of the machine."""
    if out is None:
        print(settings, end="")
        return
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that was there before keeps no wider mode
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(settings)
    print(f"wrote {out} (readable by its owner only)")
