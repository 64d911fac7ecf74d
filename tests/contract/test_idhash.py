"""The slow id_hash: scrypt over the ID number's HMAC, the same for the same input everywhere,
and an older plain HMAC upgraded to it without the number."""

import hashlib
import hmac

from contract import idhash

KEY = bytes(range(32))


def plain(number: str) -> str:
    return hmac.new(KEY, number.encode(), hashlib.sha256).hexdigest()


def test_a_derivation_is_43_url_safe_characters_and_not_the_hmac():
    keyed = hmac.new(KEY, b"110105194910035303", hashlib.sha256).digest()
    derived = idhash.derive(keyed)
    assert len(derived) == idhash.LENGTH and derived.replace("-", "").replace("_", "").isalnum()
    assert derived == idhash.derive(keyed) and derived != plain("110105194910035303")


def test_only_the_plain_hmac_in_hex_is_legacy():
    assert idhash.is_legacy(plain("110105194910035303"))
    for value in (idhash.derive(b"x" * 32), plain("1").upper(), plain("1")[:63], "", "hash-wang"):
        assert not idhash.is_legacy(value)


def test_upgrading_derives_a_legacy_hash_and_leaves_a_current_one_as_it_is():
    old = plain("110105194910035303")
    assert idhash.upgraded(old) == idhash.derive(bytes.fromhex(old))
    assert idhash.upgraded(idhash.upgraded(old)) == idhash.upgraded(old)


def test_upgrading_many_keeps_their_order():
    values = [plain("1"), idhash.derive(b"y" * 32), plain("2"), plain("1")]
    assert idhash.upgraded_all(values) == [idhash.upgraded(v) for v in values]
    assert idhash.derive_all([b"a", b"b"]) == [idhash.derive(b"a"), idhash.derive(b"b")]
