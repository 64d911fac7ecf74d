-- 0009: activities as the bureau's console publishes them (docs/design.md §4.8): whether a full one
-- keeps a waitlist, its own sign-in window, its number in a yearly series, and why it was cancelled;
-- and, per registration, a cancellation the senior has not been told of yet (told once, at their
-- next card read, as a place from the waitlist is).
ALTER TABLE "activity" ADD COLUMN "waitlist" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "activity" ADD COLUMN "window_before_min" INTEGER;
ALTER TABLE "activity" ADD COLUMN "window_after_min" INTEGER;
ALTER TABLE "activity" ADD COLUMN "cancel_reason" VARCHAR(255) NOT NULL DEFAULT '';
ALTER TABLE "activity" ADD COLUMN "series_no" INTEGER;
ALTER TABLE "registration" ADD COLUMN "cancel_notify" INTEGER NOT NULL DEFAULT 0;
