"""Staff mode at the kiosk: the session (session), the page frame and its widgets (frame, lines) and
one page a task."""
