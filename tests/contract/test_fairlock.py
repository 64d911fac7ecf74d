"""contract.fairlock.FairLock.try_enter: the lock taken only when nobody holds it or waits for it."""

import threading

from contract.fairlock import FairLock
from tests.waiting import wait_until


def test_try_enter_takes_a_free_lock_and_again_in_the_same_thread():
    lock = FairLock()
    assert lock.try_enter() and lock.try_enter()  # re-entrant, as `with lock` is
    lock.__exit__()
    lock.__exit__()
    with lock:  # given back whole: free again
        assert lock.waiting() == 0


def test_try_enter_takes_nothing_while_another_thread_holds_or_awaits_the_lock():
    lock, holding, release = FairLock(), threading.Event(), threading.Event()
    order = []

    def holder() -> None:
        with lock:
            holding.set()
            release.wait(10)

    def waiter() -> None:
        with lock:
            order.append("waiter")

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(10)
    assert not lock.try_enter()  # held
    second = threading.Thread(target=waiter)
    second.start()
    wait_until(lambda: lock.waiting() == 1, 10, "the waiter to queue")
    assert not lock.try_enter()  # held, and awaited
    release.set()
    first.join(10)
    second.join(10)
    assert order == ["waiter"] and lock.try_enter()  # the waiter went first; then it was free
    lock.__exit__()
