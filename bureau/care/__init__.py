"""Care (关怀走访, docs/care.md): a member's situation (sensitive: seen and changed only by the member's
site's staff and the bureau's admins, never published to a kiosk nor carried by a fact), the visit
log (situation.py, visits.py), and the care lists built from them and the sign-ins, each row with
its reason (lists.py, festivals.py).  Plain rules on the store; no FastAPI here: the pages are
bureau/console's (care_member.py, care.py)."""
