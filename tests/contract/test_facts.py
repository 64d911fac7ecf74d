"""contract.facts: what the bureau takes as a fact this version of the kiosk writes."""

import json

import msgspec
import pytest

from contract.facts import SCHEMA_V, KnownPush


@pytest.mark.parametrize("field, value", [("kind", "no_such_kind"), ("schema_v", 2)])
def test_a_fact_this_version_does_not_write_is_not_a_known_fact(field, value):
    fact = {"event_id": "e1", "seq": 1, "kind": "signin", "schema_v": SCHEMA_V, "wall_ms": 0, "payload": {}}
    body = {
        "kiosk_id": "K",
        "epoch": 1,
        "first_seq": 1,
        "last_seq": 1,
        "client_version": "0.1.0",
        "events": [{**fact, field: value}],
    }
    with pytest.raises(msgspec.ValidationError, match=field):
        msgspec.json.decode(json.dumps(body), type=KnownPush)
