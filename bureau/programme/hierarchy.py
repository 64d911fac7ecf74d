"""The bureau's hierarchy: regions (市 → 区 → 街道) and the sites placed in them, each site of a
kind (老年大学, 分校, 老干部活动中心, 教学点).  Every change is audited in its own transaction.

A region's parent is one level up (a district in a city, a street in a district; a city has
none), so the tree is at most three deep and has no cycle.  A site may sit in a region of any
level (a 老年大学 belongs to a city, a 教学点 to a street).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from bureau import audit
from bureau.models import REGION_LEVELS, SITE_KINDS, Region, Site
from bureau.store import write

LEVEL_NAMES = {"city": "市", "district": "区/县", "street": "街道/乡镇"}
KIND_NAMES = {"university": "老年大学", "branch": "分校", "center": "老干部活动中心", "point": "教学点"}
assert LEVEL_NAMES.keys() == set(REGION_LEVELS) and KIND_NAMES.keys() == set(SITE_KINDS)


class HierarchyError(Exception):
    """A change the hierarchy cannot take; the message says why (Chinese, for staff and operator)."""


def add_region(username: str, name: str, level: str, parent_id: int | None = None) -> Region:
    """A new region under `parent_id` (None: a city)."""
    name = _name(name)
    with write():
        parent = _parent(level, parent_id)
        _unique(name, parent)
        region = Region.create(name=name, level=level, parent=parent)
        audit.record(username, "region.add", name, None, {"id": region.id, "level": level, "parent": parent_id})
    return region


def rename_region(username: str, region_id: int, name: str) -> Region:
    name = _name(name)
    with write():
        region = region_of(region_id)
        _unique(name, region.parent, region.id)
        old, region.name = region.name, name
        region.save()
        audit.record(username, "region.rename", name, None, {"id": region.id, "from": old})
    return region


def move_region(username: str, region_id: int, parent_id: int | None) -> Region:
    """`region_id` under another parent of the level above it (its sites and regions go with it)."""
    with write():
        region = region_of(region_id)
        parent = _parent(region.level, parent_id)
        _unique(region.name, parent, region.id)
        old, region.parent = region.parent_id, parent
        region.save()
        audit.record(username, "region.move", region.name, None, {"id": region.id, "from": old, "to": parent_id})
    return region


def place_site(username: str, code: str, region_id: int | None, kind: str) -> Site:
    """Put site `code` in region `region_id` (None: out of the hierarchy) as a site of `kind`."""
    if kind not in SITE_KINDS:
        raise HierarchyError(
            f"站点类型 {kind} 不存在（可选：{'、'.join(f'{k} {v}' for k, v in KIND_NAMES.items())}）。"
        )
    with write():
        site = Site.get_or_none(Site.code == code)
        if site is None:
            raise HierarchyError(f"没有站点 {code}。")
        region = region_of(region_id) if region_id is not None else None
        site.region, site.kind = region, kind
        site.save()
        audit.record(username, "site.place", code, site, {"region": region_id, "kind": kind})
    return site


def region_of(region_id: int) -> Region:
    region = Region.get_or_none(Region.id == region_id)
    if region is None:
        raise HierarchyError(f"没有编号为 {region_id} 的区域。")
    return region


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 60:
        raise HierarchyError("区域名称不能为空，最多 60 个字。")
    return name


def _parent(level: str, parent_id: int | None) -> Region | None:
    """The parent a region of `level` may have: none for a city, else a region one level up."""
    if level not in REGION_LEVELS:
        raise HierarchyError(f"层级 {level} 不存在（可选：city 市、district 区/县、street 街道/乡镇）。")
    above = REGION_LEVELS.index(level) - 1
    if above < 0:
        if parent_id is not None:
            raise HierarchyError("市是最高一级，不能放在别的区域下。")
        return None
    if parent_id is None:
        raise HierarchyError(f"{LEVEL_NAMES[level]}要放在一个{LEVEL_NAMES[REGION_LEVELS[above]]}下。")
    parent = region_of(parent_id)
    if parent.level != REGION_LEVELS[above]:
        raise HierarchyError(f"{LEVEL_NAMES[level]}只能放在{LEVEL_NAMES[REGION_LEVELS[above]]}下，{parent.name} 不是。")
    return parent


def _unique(name: str, parent: Region | None, itself: int | None = None) -> None:
    siblings = Region.select().where(Region.name == name)
    siblings = siblings.where(Region.parent.is_null() if parent is None else Region.parent == parent)
    if itself is not None:
        siblings = siblings.where(Region.id != itself)
    if siblings.exists():
        raise HierarchyError(f"同一上级下已经有名为 {name} 的区域。")


# --- the tree ---------------------------------------------------------------------------------------------


@dataclass
class Node:
    """A region (or the whole bureau: region None) with what is under it: its regions, its sites."""

    region: Region | None
    depth: int = 0
    children: list["Node"] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"region-{self.region.id}" if self.region else "all"

    def all_sites(self) -> list[Site]:
        """Every site under this node, at any depth."""
        return [*self.sites, *(s for child in self.children for s in child.all_sites())]

    def walk(self) -> Iterable["Node"]:
        yield self
        for child in self.children:
            yield from child.walk()


def tree(sites: Iterable[Site] | None = None) -> Node:
    """The whole hierarchy: cities, their districts, streets, and the sites placed in each; sites
    not placed yet hang at the top.  `sites` limits which sites appear (default: all)."""
    regions = list(Region.select().order_by(Region.name))
    nodes = {r.id: Node(r) for r in regions}
    root = Node(None)
    for region in regions:
        (nodes[region.parent_id] if region.parent_id in nodes else root).children.append(nodes[region.id])
    for site in Site.select().order_by(Site.code) if sites is None else sites:
        (nodes[site.region_id] if site.region_id in nodes else root).sites.append(site)
    _depths(root, 0)
    return root


def _depths(node: Node, depth: int) -> None:
    node.depth = depth
    for child in node.children:
        _depths(child, depth + 1)


def find(root: Node, region_id: int) -> Node | None:
    return next((n for n in root.walk() if n.region is not None and n.region.id == region_id), None)
