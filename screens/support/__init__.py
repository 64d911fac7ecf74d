"""Plain Python the screens use, tested without a display: the voice (voice, numbers_zh) and the idle
timer and opening hours (idle)."""
