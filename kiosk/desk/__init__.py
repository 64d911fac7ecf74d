"""The staff desk's paperwork: the Today page and 补签 (today), reports and their files (reports,
exports), and rosters and course lists from spreadsheets (imports/)."""
