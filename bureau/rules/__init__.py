"""The bureau's rules over the facts kiosks pushed: the roster (one member per person), attendance,
device health and the confirmed points ledger (docs/sync-protocol.md §9).

    catch_up()        apply every fact not yet applied; returns how many it applied
    Worker()          a thread doing catch_up every second, and after notify() once pushes pause
    follow(url, pid)  the same in a process of its own (the bureau on PostgreSQL)

worker.py runs them, cursors.py picks the facts a round takes and parses their payloads
(contract.payloads), rounds.py applies them, dead.py keeps the facts they cannot use (dead
letters: no fact stops them), fields.py holds what a round reads of a parsed fact and sql.py the
statements.
"""

from bureau.rules.worker import BATCH, Worker, catch_up, follow, notify

__all__ = ["BATCH", "Worker", "catch_up", "follow", "notify"]
