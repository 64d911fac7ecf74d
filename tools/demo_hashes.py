"""Write config/demo/id_hashes.toml: the demo roster's id_hashes under the public demo key.

Seeding the demo derives no hash then (kiosk.demo.id_hashes): 200 slow derivations would take
seconds at every fresh demo start.  Run it after changing an ID number in config/demo/site.toml;
tests/kiosk/test_demo.py fails until then.

    python -m tools.demo_hashes
"""

import tomllib
from pathlib import Path

from kiosk import demo
from kiosk.identity import ids
from tools.checkout import ROOT

SITE = ROOT / "config" / "demo" / "site.toml"


def demo_key() -> bytes:
    with open(ROOT / "config" / "default.toml", "rb") as f:
        return bytes.fromhex(tomllib.load(f)["security"]["id_hash_key"])


def write(site: Path = SITE) -> Path:
    key = demo_key()
    rows = demo.read(site)["members"]
    hashes = ids.id_hashes((m["id"] for m in rows), key)
    lines = [
        "# The demo roster's id_hashes under the public demo key (made by python -m tools.demo_hashes).",
        f'key = "{demo.key_fingerprint(key)}"',
        "",
        "[hashes]",
        *(f'{m["no"]} = "{h}"' for m, h in zip(rows, hashes)),
    ]
    out = site.with_name(demo.HASHES)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write())
