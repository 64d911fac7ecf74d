"""Care (关怀走访, docs/care.md): a member's situation (sensitive: seen and changed only by the member's
site's staff and the bureau's admins, never published to a kiosk), the visit log, and the care lists
built from them and the sign-ins.  Plain rules on the store; the pages are bureau/console's."""
