"""region add NAME --level city|district|street [--parent ID] | region rename ID NAME |
region move ID [--parent ID] | region list: the hierarchy sites are placed in (市 → 区 → 街道);
`site place CODE --region ID --kind K` puts a site in it.  Each change is audited as the
operator's (cli:<login name>)."""

import argparse
import getpass

from bureau.admin import AdminError
from bureau.models import REGION_LEVELS, SITE_KINDS
from bureau.programme import hierarchy


def add(commands, db_option: argparse.ArgumentParser) -> None:
    region = commands.add_parser("region", help="the hierarchy of regions").add_subparsers(dest="action", required=True)
    p = region.add_parser("add", parents=[db_option], help="a new city, district or street")
    p.add_argument("name")
    p.add_argument("--level", required=True, choices=REGION_LEVELS)
    p.add_argument("--parent", type=int, help="the id of the region one level up (none for a city)")
    p = region.add_parser("rename", parents=[db_option], help="rename a region")
    p.add_argument("id", type=int)
    p.add_argument("name")
    p = region.add_parser("move", parents=[db_option], help="put a region under another parent")
    p.add_argument("id", type=int)
    p.add_argument("--parent", type=int)
    region.add_parser("list", parents=[db_option], help="the tree of regions and their sites")


def add_place(site_commands, db_option: argparse.ArgumentParser) -> None:
    """`site place`, declared among the site command's actions (bureau/cli/site.py)."""
    p = site_commands.add_parser("place", parents=[db_option], help="a site's region and kind")
    p.add_argument("code")
    p.add_argument("--region", type=int, help="the region's id (omit: out of the hierarchy)")
    p.add_argument("--kind", required=True, choices=SITE_KINDS)


def operator() -> str:
    return f"cli:{getpass.getuser()}"


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "add":
            made = hierarchy.add_region(operator(), args.name, args.level, args.parent)
            print(f"region {made.id} {made.name} ({made.level})")
        elif args.action == "rename":
            made = hierarchy.rename_region(operator(), args.id, args.name)
            print(f"region {made.id} {made.name}")
        elif args.action == "move":
            made = hierarchy.move_region(operator(), args.id, args.parent)
            print(f"region {made.id} {made.name}: parent {made.parent_id or '-'}")
        else:
            for node in hierarchy.tree().walk():
                if node.region is not None:
                    print(f"{'  ' * (node.depth - 1)}{node.region.id}\t{node.region.name}\t{node.region.level}")
                for site in node.sites:
                    print(f"{'  ' * node.depth}{site.code}\t{site.name}\t{site.kind}")
    except hierarchy.HierarchyError as e:
        raise AdminError(str(e)) from None
    return 0


def place(args: argparse.Namespace) -> int:
    try:
        site = hierarchy.place_site(operator(), args.code, args.region, args.kind)
    except hierarchy.HierarchyError as e:
        raise AdminError(str(e)) from None
    print(f"site {site.code}: {site.kind}, region {site.region_id or '-'}")
    return 0
