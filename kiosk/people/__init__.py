"""The seniors as staff know them: members registered, changed and their cards printed (members, cards),
unregistered ID cards waiting at the desk (newcomers), and finding someone (search)."""
