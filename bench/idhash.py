"""What recovering one member's ID number from a stolen kiosk costs (docs/design.md §9.1, §10).

Everything on the kiosk's disk gives the attacker the id_hash, the bureau's HMAC key and the
member's gender (it sits in the member row); nothing else narrows the search (kiosk migration
0008).  Each guess is one derivation (contract.idhash), measured here in CPU time; the guesses
left are region codes × birth dates × sequence numbers, the check character following from them.

    python -m bench idhash
"""

import os
import statistics
import time

from bench import Figure
from contract import idhash

SAMPLES = 30
# County-level codes of GB/T 2260 in a province: the smallest (Beijing's 16 districts; Shanghai
# and Tianjin have 16 too) and a large one (Sichuan's 183).  Codes abolished since, which older
# cards still carry, would only add to these.
REGIONS = {"smallest province (北京, 16 codes)": 16, "large province (四川, 183 codes)": 183}
DATES = round(30 * 365.25)  # birth dates of members aged 60 to 90: a narrower range than real rosters
SEQUENCES = 500  # 000-999 with the parity the gender on disk gives
CPU_DAY_S = 86_400


def derivation_cpu_s() -> list[float]:
    """CPU seconds of each of SAMPLES derivations (after one to warm up)."""
    keyed = os.urandom(32)
    idhash.derive(keyed)
    samples = []
    for _ in range(SAMPLES):
        start = time.process_time()
        idhash.derive(keyed)
        samples.append(time.process_time() - start)
    return samples


def run() -> list[Figure]:
    cost = statistics.median(derivation_cpu_s())
    print(f"one derivation (scrypt n={idhash.N}, r={idhash.R}, p={idhash.P}): {cost * 1000:.1f} ms of CPU (median)")
    figures = [Figure("id_hash derivation", f"{cost * 1000:.1f} ms CPU")]
    for name, regions in REGIONS.items():
        guesses = regions * DATES * SEQUENCES
        expected = guesses / 2 * cost / CPU_DAY_S  # on average the number turns up half way
        print(
            f"{name}: {regions} × {DATES} dates × {SEQUENCES} sequences = {guesses:,} guesses; "
            f"expected {expected:.1f} CPU-days, all {2 * expected:.1f}"
        )
        figures.append(Figure(f"one number, {name}", f"{expected:.1f} CPU-days expected", "≥ 1", expected >= 1))
    return figures
