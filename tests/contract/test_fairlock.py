"""contract.fairlock.Turns.try_enter: the lock taken only when nobody holds it or waits for it."""
import threading

from contract.fairlock import Turns

from tests.bureau.conftest import wait_until


def test_try_enter_takes_a_free_lock_and_again_in_the_same_thread():
    turns = Turns()
    assert turns.try_enter() and turns.try_enter()          # re-entrant, as `with turns` is
    turns.__exit__()
    turns.__exit__()
    with turns:                                             # given back whole: free again
        assert turns.waiting() == 0


def test_try_enter_takes_nothing_while_another_thread_holds_or_awaits_the_lock():
    turns, holding, release = Turns(), threading.Event(), threading.Event()
    order = []

    def holder() -> None:
        with turns:
            holding.set()
            release.wait(10)

    def waiter() -> None:
        with turns:
            order.append("waiter")

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(10)
    assert not turns.try_enter()                            # held
    second = threading.Thread(target=waiter)
    second.start()
    wait_until(lambda: turns.waiting() == 1, 10, "the waiter to queue")
    assert not turns.try_enter()                            # held, and awaited
    release.set()
    first.join(10)
    second.join(10)
    assert order == ["waiter"] and turns.try_enter()        # the waiter went first; then it was free
    turns.__exit__()
