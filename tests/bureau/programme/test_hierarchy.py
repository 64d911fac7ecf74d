"""The hierarchy (bureau/programme/hierarchy.py): the levels' rules, audited changes, the operator's
commands, and figures summed up at each level (bureau/figures.py), on both stores."""

import pytest

from bureau import figures
from bureau.models import AuditEntry, Region, Site
from bureau.programme import hierarchy
from bureau.programme.hierarchy import HierarchyError

from ..conftest import cli
from . import regions_data


def test_a_region_sits_one_level_below_its_parent(store):
    city = hierarchy.add_region("admin", "示范市", "city")
    district = hierarchy.add_region("admin", "东城区", "district", city.id)
    street = hierarchy.add_region("admin", "和平街道", "street", district.id)
    refused = [
        lambda: hierarchy.add_region("admin", "错误街道", "street", city.id),  # skips a level
        lambda: hierarchy.add_region("admin", "另一个市", "city", city.id),  # a city has no parent
        lambda: hierarchy.add_region("admin", "孤立区", "district"),  # a district needs one
        lambda: hierarchy.add_region("admin", "东城区", "district", city.id),  # twice under one parent
        lambda: hierarchy.add_region("admin", "  ", "city"),
        lambda: hierarchy.add_region("admin", "某地", "province"),
        lambda: hierarchy.move_region("admin", district.id, street.id),  # under its own child
        lambda: hierarchy.place_site("admin", "NOPE", city.id, "center"),
        lambda: hierarchy.place_site("admin", "NOPE", 999, "shop"),
    ]
    for change in refused:
        with pytest.raises(HierarchyError):
            change()
    other = hierarchy.add_region("admin", "另一市", "city")
    hierarchy.move_region("admin", district.id, other.id)
    hierarchy.rename_region("admin", district.id, "新东城区")
    assert Region.get_by_id(district.id).parent_id == other.id
    assert Region.get_by_id(district.id).name == "新东城区"
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions == ["region.add"] * 4 + ["region.move", "region.rename"]


def test_figures_roll_up_from_site_to_street_to_district_to_city(store):
    demo = regions_data.build()
    root = hierarchy.tree()
    per_site = figures.site_figures([s.id for s in root.all_sites()], demo.today)
    totals = figures.rolled_up(root, per_site)

    def node(name: str) -> figures.Figures:
        return totals[f"region-{demo.regions[name]}"]

    site = per_site[demo.sites["DEMO-001"].id]
    assert (site.sites, site.members, site.active, site.signins) == (1, 4, 3, demo.signins_month["DEMO-001"])
    assert (site.courses, site.enrolled, site.capacity, f"{site.fill:.0%}") == (2, 26, 30, "87%")
    street = node("和平街道")
    assert street == site  # the street holds that one site
    east = node("东城区")  # 和平街道 + 安定门街道 (DEMO-001, DEMO-002)
    assert (east.sites, east.members, east.active, east.courses) == (2, 6, 5, 3)
    assert east.signins == demo.signins_month["DEMO-001"] + demo.signins_month["DEMO-002"]
    assert (east.enrolled, east.capacity) == (26, 30)  # the choir has no capacity: not in the fill rate
    west = node("西城区")  # 金融街街道 (DEMO-003) and DEMO-004 placed in the district itself
    assert (west.sites, west.members, west.active, west.courses, west.enrolled, west.capacity) == (2, 5, 5, 2, 19, 25)
    city = node("示范市")  # both districts and the university placed in the city
    assert (city.sites, city.members, city.active) == (5, 15, 13)
    assert city.signins == sum(demo.signins_month.values())
    assert (city.enrolled, city.capacity) == (26 + 19 + 24, 30 + 25 + 30)
    assert totals["all"] == city  # every site is in the city
    # A site taken out of the hierarchy hangs at the top, outside every region.
    hierarchy.place_site("admin", "DEMO-005", None, "university")
    root = hierarchy.tree()
    assert [s.code for s in root.sites] == ["DEMO-005"]
    assert figures.rolled_up(root, per_site)[f"region-{demo.regions['示范市']}"].sites == 4


def test_the_operator_places_sites_with_the_cli(store, store_url, tmp_path):
    made = cli(store_url, "region", "add", "示范市", "--level", "city", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    city = Region.get(Region.name == "示范市")
    assert made.stdout.startswith(f"region {city.id} 示范市")
    district = cli(store_url, "region", "add", "东城区", "--level", "district", "--parent", str(city.id), cwd=tmp_path)
    assert district.returncode == 0
    wrong = cli(store_url, "region", "add", "和平街道", "--level", "street", "--parent", str(city.id), cwd=tmp_path)
    assert wrong.returncode == 2 and "街道/乡镇只能放在区/县下" in wrong.stderr
    assert cli(store_url, "site", "add", "DEMO-009", "测试站点", cwd=tmp_path).returncode == 0
    east = Region.get(Region.name == "东城区")
    placed = cli(store_url, "site", "place", "DEMO-009", "--region", str(east.id), "--kind", "point", cwd=tmp_path)
    assert placed.returncode == 0, placed.stderr
    site = Site.get(Site.code == "DEMO-009")
    assert (site.region_id, site.kind) == (east.id, "point")
    listed = cli(store_url, "region", "list", cwd=tmp_path).stdout.splitlines()
    assert listed == [f"{city.id}\t示范市\tcity", f"  {east.id}\t东城区\tdistrict", "    DEMO-009\t测试站点\tpoint"]
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert (entry.action, entry.target, entry.site_id) == ("site.place", "DEMO-009", site.id)
    assert entry.username.startswith("cli:")
