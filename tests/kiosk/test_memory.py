"""The C heap's policy for a kiosk that runs for days: a large block freed gives its pages back."""

import subprocess
import sys

import pytest

# In a fresh interpreter, whose heap has no free space left by earlier tests: freeing an 8 MB
# block raises glibc's own threshold to 8 MB, so the 1 MB blocks after it would grow the heap
# (whose holes are never given back) unless the kiosk's fixed threshold keeps them in mmap.
PROBE = """
import ctypes, sys
from kiosk import memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

if sys.argv[1] == "kiosk":
    assert memory.keep_large_blocks_apart()
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
before = libc.mallinfo2().hblks
blocks = [libc.malloc(1 << 20) for _ in range(4)]
during = libc.mallinfo2().hblks
for block in blocks:
    libc.free(block)
print(during - before, libc.mallinfo2().hblks - before)
"""


@pytest.mark.parametrize("policy, mmapped", [("kiosk", "4 0"), ("glibc", "0 0")])
def test_large_blocks_stay_out_of_the_heap_after_one_is_freed(policy, mmapped):
    done = subprocess.run([sys.executable, "-c", PROBE, policy], capture_output=True, text=True, check=True)
    assert done.stdout.split() == mmapped.split()  # the kiosk's: 4 mapped, and given back when freed
