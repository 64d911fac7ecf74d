-- 0015: the age priority group of an enrolment season (issue 23, docs/enrolment.md): applicants at
-- least `older_first` years old on the term's first day draw before the others (NULL: no such
-- group), and whether an application's applicant was checked to be (an ID card's birth date; the
-- date itself is never kept).

ALTER TABLE "season" ADD COLUMN "older_first" INTEGER;
ALTER TABLE "application" ADD COLUMN "older" INTEGER NOT NULL DEFAULT FALSE;
