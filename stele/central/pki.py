"""`stele pki`: a city's certificate authority for its broker, steles and central tools.

The directory (kept offline by the city) holds:

    ca.crt, ca.key                 the CA (the key never leaves this directory)
    server/HOST.crt, .key          the broker's certificate (HOST as DNS name or IP)
    devices/ID.crt, .key           one client certificate per stele, CN = device id
    central/NAME.crt, .key         the central tools' certificates, CN = NAME
    crl.pem                        revoked certificates, signed by the CA

Mosquitto with `use_identity_as_username true` takes the certificate's CN as the MQTT
username, which is what the ACL (`stele pki acl`, stele.central.acl) grants rights to. So
a CN is unique across devices and central identities: a stele named like a central tool
would get its rights.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from stele.errors import PkiError

CA_DAYS = 3650
CERT_DAYS = 825
# Mosquitto refuses every client once the CRL's nextUpdate has passed: a year, refreshed
# by every `revoke` and by `stele pki crl`.
CRL_DAYS = 365
KINDS = ("server", "devices", "central")
_DEVICE_ID = re.compile(r"[a-z0-9-]{1,64}")  # as device.id in the configuration
_CENTRAL = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path


def _now() -> datetime:
    return datetime.now(UTC)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 from the start: a key is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Pki:
    """One PKI directory. Every method checks first and writes last: a refused request
    leaves the directory as it was."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    @property
    def ca_cert_path(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def crl_path(self) -> Path:
        return self.dir / "crl.pem"

    # -- the CA ---------------------------------------------------------------------------

    def init(self, name: str = "stele city CA", days: int = CA_DAYS) -> Path:
        if self.ca_cert_path.exists() or (self.dir / "ca.key").exists():
            raise PkiError(
                f"{self.dir} already holds a CA (ca.crt/ca.key): refusing to replace it, as "
                "every certificate it issued would stop working; use another --dir"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        for kind in KINDS:
            (self.dir / kind).mkdir(mode=0o700, exist_ok=True)
        key = _new_key()
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        _write_key(self.dir / "ca.key", key)
        _write_cert(self.ca_cert_path, cert)
        self._write_crl(key, cert, [])
        return self.ca_cert_path

    def _ca(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        try:
            cert = x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())
            key = serialization.load_pem_private_key((self.dir / "ca.key").read_bytes(), None)
        except FileNotFoundError:
            raise PkiError(
                f"{self.dir} holds no CA: run `stele pki init --dir {self.dir}`"
            ) from None
        except (OSError, ValueError) as exc:
            raise PkiError(f"{self.dir}: cannot read the CA ({exc})") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise PkiError(f"{self.dir}/ca.key is not an EC key made by `stele pki init`")
        return key, cert

    # -- issuing --------------------------------------------------------------------------

    def issue_server(self, host: str, days: int = CERT_DAYS) -> Issued:
        if not _HOST.fullmatch(host):
            raise PkiError(f"server host {host!r}: expected a DNS name or an IP address")
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        names = [san, *([x509.DNSName("localhost")] if host == "127.0.0.1" else [])]
        return self._issue("server", host, ExtendedKeyUsageOID.SERVER_AUTH, names, days)

    def issue_device(self, device_id: str, days: int = CERT_DAYS) -> Issued:
        if not _DEVICE_ID.fullmatch(device_id):
            raise PkiError(
                f"device id {device_id!r}: expected 1 to 64 of a-z, 0-9 and '-' (as device.id)"
            )
        self._unique(device_id, "devices")
        return self._issue("devices", device_id, ExtendedKeyUsageOID.CLIENT_AUTH, [], days)

    def issue_central(self, name: str, days: int = CERT_DAYS) -> Issued:
        if not _CENTRAL.fullmatch(name):
            raise PkiError(f"central name {name!r}: expected 1 to 64 letters, digits, '_', '-'")
        self._unique(name, "central")
        return self._issue("central", name, ExtendedKeyUsageOID.CLIENT_AUTH, [], days)

    def _unique(self, cn: str, kind: str) -> None:
        """A CN is an MQTT username: a stele and a central tool must never share one."""
        other = "central" if kind == "devices" else "devices"
        if (self.dir / other / f"{cn}.crt").exists():
            what = "a central identity" if other == "central" else "a stele"
            raise PkiError(f"{cn!r} is already {what}: the broker would give both the same rights")

    def _issue(
        self,
        kind: str,
        cn: str,
        usage: x509.ObjectIdentifier,
        san: list[x509.GeneralName],
        days: int,
    ) -> Issued:
        ca_key, ca_cert = self._ca()
        cert_path, key_path = self.dir / kind / f"{cn}.crt", self.dir / kind / f"{cn}.key"
        if cert_path.exists() or key_path.exists():
            raise PkiError(
                f"{cert_path} exists: revoke it first (`stele pki revoke {cn}`) and remove "
                f"{cert_path.name} and {key_path.name} to issue a new one"
            )
        (self.dir / kind).mkdir(mode=0o700, exist_ok=True)
        key = _new_key()
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(min(now + timedelta(days=days), ca_cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
            )
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        _write_key(key_path, key)
        _write_cert(cert_path, cert)
        return Issued(cert_path, key_path)

    # -- revocation -----------------------------------------------------------------------

    def find(self, cn: str) -> Path:
        """The certificate issued to `cn` (a device id, central name or server host)."""
        found = [self.dir / kind / f"{cn}.crt" for kind in KINDS]
        found = [p for p in found if p.exists()]
        if not found:
            raise PkiError(f"no certificate for {cn!r} in {self.dir}/{{devices,central,server}}")
        return found[0]

    def revoked_serials(self) -> list[int]:
        return [entry.serial_number for entry in self._load_crl()]

    def revoke(self, cn: str) -> int:
        """Add `cn`'s certificate to the CRL; returns its serial number."""
        ca_key, ca_cert = self._ca()
        cert = x509.load_pem_x509_certificate(self.find(cn).read_bytes())
        entries = list(self._load_crl())
        if any(e.serial_number == cert.serial_number for e in entries):
            raise PkiError(f"{cn!r} (serial {cert.serial_number:x}) is already revoked")
        entries.append(
            x509.RevokedCertificateBuilder()
            .serial_number(cert.serial_number)
            .revocation_date(_now())
            .build()
        )
        self._write_crl(ca_key, ca_cert, entries)
        return int(cert.serial_number)

    def refresh_crl(self) -> Path:
        """Sign the CRL again with a new nextUpdate (before the old one passes)."""
        ca_key, ca_cert = self._ca()
        self._write_crl(ca_key, ca_cert, list(self._load_crl()))
        return self.crl_path

    def _load_crl(self) -> x509.CertificateRevocationList | list[x509.RevokedCertificate]:
        if not self.crl_path.exists():
            return []
        try:
            return x509.load_pem_x509_crl(self.crl_path.read_bytes())
        except ValueError as exc:
            raise PkiError(f"{self.crl_path}: not a PEM CRL ({exc})") from None

    def _write_crl(
        self,
        ca_key: ec.EllipticCurvePrivateKey,
        ca_cert: x509.Certificate,
        entries: list[x509.RevokedCertificate],
    ) -> None:
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now - timedelta(minutes=5))
            .next_update(now + timedelta(days=CRL_DAYS))
        )
        for entry in entries:
            builder = builder.add_revoked_certificate(entry)
        crl = builder.sign(ca_key, hashes.SHA256())
        tmp = self.crl_path.with_suffix(".tmp")
        tmp.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        tmp.replace(self.crl_path)  # the broker never reads half a CRL
