-- 0007: the default points rules are no longer rows of points_rule.  Kiosk and bureau both fall back
-- to contract.points.DEFAULT_RULES for a category the bureau has published no rule for, so the two
-- can never award by different defaults; the copies 0003 seeded go.
DELETE FROM "points_rule" WHERE "source" = 'default';
