-- 0009: the (site, business_day) index of attendance carries member_no too, so that "who signed in
-- at these sites in these days" (the care list, active seniors, the distinct members of the
-- attendance report) is read from the index alone, not from a heap page per sign-in.  It still
-- serves every query the old index served (its prefix), which it replaces.

DROP INDEX IF EXISTS "attendance_site_id_business_day";
CREATE INDEX IF NOT EXISTS "attendance_site_id_business_day_member_no" ON "attendance" ("site_id", "business_day", "member_no");
