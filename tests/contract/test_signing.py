"""Request signing: what is signed, and that any change to it breaks the signature."""

import hashlib
import hmac

import pytest

from contract import signing

KEY = "ab" * 32
BODY = b'{"kiosk_id": "DEMO-001-K01", "events": []}'


def signed() -> dict:
    return {**signing.sign(KEY, "post", "/v1/push", 1763700000, BODY, nonce="00ff"), "X-Kiosk": "DEMO-001-K01"}


def test_the_signature_is_hmac_sha256_over_method_target_time_nonce_and_body_hash():
    text = "\n".join(("POST", "/v1/push", "1763700000", "00ff", hashlib.sha256(BODY).hexdigest())).encode()
    headers = signed()
    assert headers["X-Signature"] == hmac.new(bytes.fromhex(KEY), text, hashlib.sha256).hexdigest()
    assert (headers["X-Timestamp"], headers["X-Nonce"]) == ("1763700000", "00ff")
    assert signing.verify(KEY, "POST", "/v1/push", headers, BODY)


@pytest.mark.parametrize(
    "key, method, target, body, change",
    [
        ("cd" * 32, "POST", "/v1/push", BODY, {}),  # another kiosk's key
        (KEY, "GET", "/v1/push", BODY, {}),
        (KEY, "POST", "/v1/state", BODY, {}),
        (KEY, "POST", "/v1/push", BODY + b" ", {}),  # the body changed on the way
        (KEY, "POST", "/v1/push", BODY, {"X-Timestamp": "1763700001"}),
        (KEY, "POST", "/v1/push", BODY, {"X-Nonce": "00fe"}),
        (KEY, "POST", "/v1/push", BODY, {"X-Signature": "0" * 64}),
        (KEY, "POST", "/v1/push", BODY, {"X-Signature": None}),
        ("not hex", "POST", "/v1/push", BODY, {}),
        (KEY, "POST", "/v1/push", BODY, {"X-Signature": "\xff\xfe"}),  # as a server decodes bytes: latin-1
        (KEY, "POST", "/v1/push", BODY, {"X-Signature": "签名"}),
        (KEY, "POST", "/v1/push", BODY, {"X-Nonce": "\udcff"}),  # cannot even be encoded
    ],
)
def test_any_change_fails_verification(key, method, target, body, change):
    headers = {k: v for k, v in {**signed(), **change}.items() if v is not None}
    assert not signing.verify(key, method, target, headers, body)


def test_each_request_gets_a_fresh_nonce_and_keys_are_256_bits():
    a, b = (signing.sign(KEY, "GET", "/v1/state", 1, b"") for _ in range(2))
    assert a["X-Nonce"] != b["X-Nonce"] and a["X-Signature"] != b["X-Signature"]
    assert len(bytes.fromhex(signing.new_key())) == 32 and signing.new_key() != signing.new_key()
