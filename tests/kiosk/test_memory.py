"""The C heap's policy for a kiosk that runs for days: a large block freed gives its pages back."""

import ctypes

from kiosk import memory


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def mmapped_blocks(libc) -> int:
    libc.mallinfo2.restype = MallInfo2
    return libc.mallinfo2().hblks


def test_large_blocks_stay_out_of_the_heap_after_one_is_freed():
    # Without the fixed threshold, freeing the 8 MB block raises glibc's threshold to 8 MB, and the
    # 1 MB blocks after it come from the heap, whose holes are never given back.
    assert memory.keep_large_blocks_apart()
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(libc.malloc(8 << 20))
    before = mmapped_blocks(libc)
    blocks = [libc.malloc(1 << 20) for _ in range(4)]
    try:
        assert mmapped_blocks(libc) == before + 4
    finally:
        for block in blocks:
            libc.free(block)
    assert mmapped_blocks(libc) == before  # each one's pages went back when it was freed
