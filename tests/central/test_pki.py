"""`stele pki`: the CA directory, what each certificate says, revocation, the ACL text."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from stele.central.acl import AclError, parse_devices, read_devices, render_acl
from stele.central.pki import Pki
from stele.errors import PkiError
from tests.test_cli import stele

REPO = Path(__file__).resolve().parents[2]


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def cn(c: x509.Certificate) -> str:
    return str(c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    p = Pki(tmp_path / "pki")
    p.init()
    return p


def test_every_key_is_private_and_every_certificate_names_its_holder(pki: Pki) -> None:
    server = pki.issue_server("mqtt.example.org")
    device = pki.issue_device("st-0001")
    central = pki.issue_central("central")
    for key in [pki.dir / "ca.key", server.key, device.key, central.key]:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    ca = cert(pki.ca_cert_path)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    dev = cert(device.cert)
    assert cn(dev) == "st-0001" and dev.issuer == ca.subject
    dev.verify_directly_issued_by(ca)
    eku = dev.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    srv = cert(server.cert)
    san = srv.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mqtt.example.org"]
    assert cn(cert(central.cert)) == "central"


def test_refusals_are_clear_and_change_nothing(pki: Pki) -> None:
    pki.issue_device("st-0001")
    pki.issue_central("central")
    before = snapshot(pki.dir)
    cases = [
        (pki.init, (), "already holds a CA"),
        (pki.issue_device, ("st-0001",), "exists: revoke it first"),
        (pki.issue_device, ("central",), "already a central identity"),
        (pki.issue_central, ("st-0001",), "already a stele"),
        (pki.issue_device, ("St 1",), "expected 1 to 64 of a-z"),
        (pki.revoke, ("st-9999",), "no certificate for 'st-9999'"),
        (pki.issue_server, ("bad host/",), "expected a DNS name"),
    ]
    for func, args, message in cases:
        with pytest.raises(PkiError, match=message):
            func(*args)
    assert snapshot(pki.dir) == before


def test_no_ca_yet_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(PkiError, match="run `stele pki init"):
        Pki(tmp_path / "none").issue_device("st-0001")


def test_revocation_lists_exactly_the_revoked_serials(pki: Pki) -> None:
    a, b = pki.issue_device("st-0001"), pki.issue_device("st-0002")
    assert pki.revoked_serials() == []
    pki.revoke("st-0002")
    with pytest.raises(PkiError, match="already revoked"):
        pki.revoke("st-0002")
    crl = x509.load_pem_x509_crl(pki.crl_path.read_bytes())
    assert crl.is_signature_valid(cert(pki.ca_cert_path).public_key())  # type: ignore[arg-type]
    assert [e.serial_number for e in crl] == [cert(b.cert).serial_number]
    assert crl.get_revoked_certificate_by_serial_number(cert(a.cert).serial_number) is None
    pki.refresh_crl()
    assert pki.revoked_serials() == [cert(b.cert).serial_number]


def test_devices_file_errors_one_line_each() -> None:
    text = "st-1 051220000000  # ok\n\nst-2\nST-3 051220000000\nst-4 12\nst-1 051220000000\n"
    with pytest.raises(AclError) as err:
        parse_devices(text, "d.txt")
    assert str(err.value).splitlines() == [
        "d.txt:3: expected 'ID ARS12', got 'st-2'",
        "d.txt:4: device id 'ST-3': expected 1 to 64 of a-z, 0-9, '-'",
        "d.txt:5: ARS '12' of st-4: expected 12 digits",
        "d.txt:6: device st-1 listed again (first on line 1)",
    ]


def test_a_name_cannot_be_both_stele_and_central() -> None:
    with pytest.raises(AclError, match="both a stele and a central"):
        render_acl(parse_devices("central 051220000000\n"), ["central"])


def test_the_shipped_acl_is_what_stele_pki_acl_writes() -> None:
    devices = read_devices(REPO / "config" / "mosquitto" / "devices.txt")
    shipped = (REPO / "config" / "mosquitto" / "stele.acl").read_text()
    assert shipped == render_acl(devices, ["central"])


def test_cli_pki_round_trip(tmp_path: Path) -> None:
    d = tmp_path / "pki"
    assert stele("pki", "init", "--dir", d).returncode == 0
    again = stele("pki", "init", "--dir", d)
    assert again.returncode == 2 and again.stderr.count("\n") == 1
    assert "already holds a CA" in again.stderr
    assert stele("pki", "issue-device", "st-0001", "--dir", d).returncode == 0
    out = stele("pki", "revoke", "st-0001", "--dir", d)
    assert out.returncode == 0 and "revoked st-0001" in out.stdout
    devices = tmp_path / "devices.txt"
    devices.write_text("st-0001 051220000000\n")
    acl = stele("pki", "acl", devices, "--central", "central")
    assert acl.returncode == 0
    assert "user st-0001\n" in acl.stdout and "topic readwrite stele/v1/#" in acl.stdout
