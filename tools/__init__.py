"""Developer tooling, not part of the installed kiosk: screenshots, the scripted app runs the UI
tests and benches drive, a private PostgreSQL for tests and benches, the voice-pack maker and the
fresh-Debian proof."""
