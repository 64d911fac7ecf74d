-- 0014: an enrolment season's age priority group (season:<key>'s "older_first"): applicants at
-- least this old on the term's first day draw before the others; NULL: no such group.  The apply
-- fact says whether the ID card read showed the senior that old (docs/enrolment.md).
ALTER TABLE "season" ADD COLUMN "older_first" INTEGER;
