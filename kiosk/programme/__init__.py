"""The centre's programme: terms, holidays, courses and lessons (terms), what is on when (schedule),
enrolment (enrollments) and activity sign-up (activities) with one waitlist (waitlist), and a senior's
own courses (my_courses)."""
