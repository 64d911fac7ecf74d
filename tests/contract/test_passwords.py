"""Salted scrypt hashes (contract/passwords.py): each stored with its cost, checked at that cost."""

import pytest

from contract import passwords


def test_a_hash_keeps_the_cost_it_was_made_at_and_checks_at_it():
    cheap, dear = passwords.make("一句够长的口令 2026", n=2**12), passwords.make("一句够长的口令 2026", n=2**15)
    assert (passwords.cost(cheap), passwords.cost(dear)) == (2**12, 2**15)
    assert passwords.check("一句够长的口令 2026", cheap) and passwords.check("一句够长的口令 2026", dear)
    assert not passwords.check("一句够长的口令 2027", dear)
    assert passwords.cost(passwords.make("739154")) == passwords.N == 2**14  # the kiosk's PINs


@pytest.mark.parametrize("stored", ["", "-", "scrypt$x$8$1$00$00", "bcrypt$16384$8$1$00$00", "scrypt$16384$8$1$00"])
def test_a_malformed_hash_has_no_cost(stored):
    assert passwords.cost(stored) == 0
