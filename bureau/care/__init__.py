"""Care (关怀走访, docs/care.md): the care lists built from the data, each row with its reason
(lists.py, festivals.py).  A member's situation is sensitive: only the member's site's staff and
the bureau's admins see it; it is never published to a kiosk nor carried by a fact.  No FastAPI
here: the pages are bureau/console/care.py."""
