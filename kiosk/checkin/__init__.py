"""A card read at the kiosk: who it is (signin.CheckIn identifies the card), what is due and the
sign-in with its points (signin), and everything the screens need of it in one call (visit.Reception)."""
