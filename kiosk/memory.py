"""The C heap of a kiosk that runs for days (bench/soak.py).

glibc serves a large block (a label's texture under a software GL driver, an image, a query's
result) from the heap instead of mmap once a block of that size has been freed: its mmap threshold
rises to the largest block freed, up to 32 MB.  Blocks of every size then come and go in the heap,
and the holes they leave are kept, not given back: the kiosk's memory grew by the megabyte while
the memory in use stayed the same.  A fixed threshold keeps large blocks out of the heap, so
freeing one gives its pages back at once.
"""

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
LARGE = 128 * 1024  # glibc's own starting threshold, kept from now on


def keep_large_blocks_apart(threshold: int = LARGE) -> bool:
    """Serve blocks of `threshold` bytes and more by mmap from now on; False where the C library is
    not glibc (nothing changes then)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        done = bool(libc.mallopt(M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError, TypeError):
        done = False
    if not done:
        log.info("the C library's mmap threshold is left as it is (%s)", name)
    return done
