"""A bundle is checked before anything of it is used: signed by a trusted key, every member as
release.json lists it, nothing that could land outside the staging folder.  Small bundles of
stand-in wheels, built and signed by tools/release.py with real keys and openssl."""

import io
import json
import tarfile
from pathlib import Path

import pytest

from kiosk.release.bundle import Refused, verify
from tests.kiosk.release.conftest import make


def rewrite(bundle: Path, change) -> Path:
    """The bundle with its members passed through change(list of (TarInfo, bytes)) -> the same."""
    with tarfile.open(bundle) as tar:
        members = [(m, tar.extractfile(m).read() if m.isreg() else b"") for m in tar.getmembers()]
    target = bundle.with_name("changed.bundle")
    with tarfile.open(target, "w") as tar:
        for info, data in change(members):
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return target


def member(name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = (len(data) if kind == tarfile.REGTYPE else 0), kind, link
    return info, data


def test_a_signed_bundle_gives_its_checked_wheels(tmp_path, keys, trusted):
    found = verify(make(tmp_path, keys["ours"][0]), trusted, tmp_path / "staging")
    assert (found.version, found.arch, found.python) == ("0.2.0", "amd64", "3.11")
    assert sorted(p.name for p in found.wheels.iterdir()) == [
        "peewee-4.5.3-py3-none-any.whl",
        "yinling_kiosk-0.2.0-py3-none-any.whl",
    ]
    assert (found.wheels / "peewee-4.5.3-py3-none-any.whl").read_bytes() == b"orm"
    assert json.loads(found.manifest)["version"] == "0.2.0"


def test_a_bundle_signed_by_an_untrusted_key_is_refused(tmp_path, keys, trusted):
    with pytest.raises(Refused, match="not signed by a trusted key"):
        verify(make(tmp_path, keys["theirs"][0]), trusted, tmp_path / "staging")


def test_no_trusted_key_at_all_refuses_every_bundle(tmp_path, keys):
    (tmp_path / "none").mkdir()
    with pytest.raises(Refused, match="not signed by a trusted key"):
        verify(make(tmp_path, keys["ours"][0]), tmp_path / "none", tmp_path / "staging")


def test_a_bad_signature_is_refused(tmp_path, keys, trusted):
    def flip(members):
        return [(m, bytes([d[0] ^ 1]) + d[1:] if m.name == "release.json.sig" else d) for m, d in members]

    with pytest.raises(Refused, match="not signed by a trusted key"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), flip), trusted, tmp_path / "staging")


def test_a_missing_signature_is_refused(tmp_path, keys, trusted):
    def drop(members):
        return [(m, d) for m, d in members if m.name != "release.json.sig"]

    with pytest.raises(Refused, match="no release.json.sig"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), drop), trusted, tmp_path / "staging")


def test_a_changed_release_json_no_longer_matches_its_signature(tmp_path, keys, trusted):
    def newer(members):
        return [(m, d.replace(b'"0.2.0"', b'"9.9.9"') if m.name == "release.json" else d) for m, d in members]

    with pytest.raises(Refused, match="not signed by a trusted key"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), newer), trusted, tmp_path / "staging")


def test_a_tampered_wheel_is_refused_and_not_left_behind(tmp_path, keys, trusted):
    def tamper(members):
        return [(m, b"evil" if m.name.startswith("wheels/peewee") else d) for m, d in members]

    with pytest.raises(Refused, match="sha256"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), tamper), trusted, tmp_path / "staging")
    assert not (tmp_path / "staging/wheels/peewee-4.5.3-py3-none-any.whl").exists()


def test_a_member_release_json_does_not_list_is_refused(tmp_path, keys, trusted):
    def extra(members):
        return [*members, member("wheels/extra-1.0-py3-none-any.whl")]

    with pytest.raises(Refused, match="extra"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), extra), trusted, tmp_path / "staging")


@pytest.mark.parametrize(
    "bad",
    [
        member("wheels/../../escaped.whl"),
        member("../escaped"),
        member("/tmp/escaped.whl"),
        member("wheels/sub/x.whl"),
        member("wheels/link.whl", kind=tarfile.SYMTYPE, link="/etc/passwd"),
        member("wheels/hard.whl", kind=tarfile.LNKTYPE, link="release.json"),
        member("wheels", kind=tarfile.DIRTYPE),
    ],
    ids=["dotdot-in-wheels", "dotdot", "absolute", "subfolder", "symlink", "hardlink", "folder"],
)
def test_a_member_that_could_escape_or_is_no_plain_file_is_refused(tmp_path, keys, trusted, bad):
    with pytest.raises(Refused, match="refused"):
        verify(rewrite(make(tmp_path, keys["ours"][0]), lambda members: [*members, bad]), trusted, tmp_path / "s")
    assert not (tmp_path / "escaped.whl").exists() and not (tmp_path.parent / "escaped").exists()
    assert not (tmp_path / "s").exists()  # refused before anything was written


def test_a_file_that_is_no_tar_is_refused(tmp_path, trusted):
    (tmp_path / "x.bundle").write_bytes(b"not a tar at all" * 100)
    with pytest.raises(Refused, match="not a release bundle"):
        verify(tmp_path / "x.bundle", trusted, tmp_path / "staging")
