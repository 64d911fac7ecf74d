"""Staff and their trail: accounts and the PIN that opens staff mode (access), who did what and why
(audit), and a staff action refused by a rule (refused)."""
