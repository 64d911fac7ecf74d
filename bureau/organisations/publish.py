"""An organisation as the kiosks get it: item org:<key> of the "items" stream, for its site's kiosks
(scope "site:CODE") or, a bureau-wide one, for every kiosk (scope ""):

    {"kind": "org", "key": K, "type": "branch", "name": "第一党支部", "members": ["XC0001", ...]}

`members` are the current members' numbers, sorted.  Published again when the name or the roster
changes (only then: a role or a term changes nothing the kiosks hold); a delete (None) when the
organisation is dissolved.  Call inside the store.write() of the change.
"""

from bureau import streams
from bureau.models import Organisation, OrgMember
from bureau.programme.activities import scope


def item(org: Organisation) -> dict:
    current = OrgMember.select(OrgMember.member_no).where(OrgMember.organisation == org, OrgMember.until.is_null())
    return {
        "kind": "org",
        "key": org.key,
        "type": org.kind,
        "name": org.name,
        "members": sorted(m.member_no for m in current),
    }


def publish(org: Organisation) -> None:
    """The organisation's item as it is now (a delete once dissolved), unless the kiosks have it already."""
    entity = f"org:{org.key}"
    data = None if org.dissolved_at is not None else item(org)
    row = streams.current("items", entity)
    if row is None and data is None:
        return
    if row is not None and streams.data(row) == data:
        return
    streams.publish("items", entity, data, scope(org.site))
