"""What the kiosk and the bureau share, and the only code of one the other imports: request signing
(signing), the facts a kiosk pushes and their wire format (facts), points rules and their defaults
(points), password hashing (passwords), the slow id_hash of an ID number (idhash), the fair write
lock (fairlock) and spreadsheet cells that stay text in exports (cells)."""
