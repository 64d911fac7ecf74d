"""tools/release.py without the minute a whole build takes (tests/kiosk/release/test_update_rollback.py
builds three real bundles and installs them): the version written into a copy only, the key pair,
the bundle's layout and signature."""

import hashlib
import json
import stat
import subprocess
import tarfile

import pytest

from kiosk.release.bundle import trusted_signer
from tools import release
from tools.checkout import ROOT


def test_the_version_goes_into_a_copy_of_the_tracked_files_never_the_checkout(tmp_path):
    before = (ROOT / "pyproject.toml").read_bytes()
    tree = release.tracked_tree(tmp_path / "tree")
    release.set_version(tree, "7.8.9")
    assert 'version = "7.8.9"' in (tree / "pyproject.toml").read_text(encoding="utf-8")
    assert (ROOT / "pyproject.toml").read_bytes() == before
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert (tree / "kiosk/release/bundle.py").exists() and "kiosk/release/bundle.py" in tracked
    assert not (tree / ".venv").exists() and not (tree / ".git").exists()


@pytest.mark.parametrize("version", ["v1.0", "1.0rc1", "1..0", ""])
def test_a_version_the_updater_cannot_compare_is_refused(tmp_path, version):
    with pytest.raises(release.ReleaseError, match="numbers and dots"):
        release.project_wheel(version, tmp_path)


def test_an_unknown_arch_is_refused(tmp_path):
    with pytest.raises(release.ReleaseError, match="amd64 or arm64"):
        release.dependencies(tmp_path / "x.whl", "i386", tmp_path)


def test_keygen_makes_a_private_key_for_its_owner_only_and_never_overwrites_it(tmp_path):
    private, public = release.keygen(tmp_path)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in private.read_bytes() and b"PUBLIC KEY" in public.read_bytes()
    with pytest.raises(release.ReleaseError, match="exists"):
        release.keygen(tmp_path)


def test_a_bundle_is_release_json_its_signature_and_the_wheels_it_lists(tmp_path):
    private, public = release.keygen(tmp_path / "keys")
    wheels = [tmp_path / "a-1.0-py3-none-any.whl", tmp_path / "b-2.0-py3-none-any.whl"]
    for i, wheel in enumerate(wheels):
        wheel.write_bytes(b"wheel %d" % i)
    bundle = release.bundle("1.2.3", "arm64", wheels, private, tmp_path / "out")
    assert bundle.name == "yinling-kiosk_1.2.3_arm64.bundle"
    with tarfile.open(bundle, "r:") as tar:  # uncompressed: the wheels are zips already
        assert tar.getnames() == ["release.json", "release.json.sig", *(f"wheels/{w.name}" for w in wheels)]
        body, signature = (tar.extractfile(n).read() for n in ("release.json", "release.json.sig"))
    manifest = json.loads(body)
    assert {k: manifest[k] for k in ("name", "version", "arch", "python")} == {
        "name": "yinling-kiosk", "version": "1.2.3", "arch": "arm64", "python": "3.11"
    }  # fmt: skip
    assert manifest["files"] == {f"wheels/{w.name}": hashlib.sha256(w.read_bytes()).hexdigest() for w in wheels}
    assert len(signature) == 64  # raw Ed25519
    (tmp_path / "trusted").mkdir()
    (tmp_path / "trusted/k.pem").write_bytes(public.read_bytes())
    assert trusted_signer(body, signature, tmp_path / "trusted") == tmp_path / "trusted/k.pem"


def test_the_command_line_makes_a_key_pair(tmp_path, capsys):
    assert release.main(["keygen", "--out", str(tmp_path)]) == 0
    assert "release-signing.pem" in capsys.readouterr().out
    assert release.main(["keygen", "--out", str(tmp_path)]) == 1
