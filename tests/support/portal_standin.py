"""An HTTP stand-in of a national system (esibook.portals.standin) served by uvicorn on a free port, in a thread,
and a throwaway signer (a self-signed ES256 certificate) for tests that need no database."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from esibook.portals.standin import StandIn
from esibook.trust.signer import FileSigner


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(stand_in: StandIn, tls: dict | None = None) -> Iterator[str]:
    """The stand-in on http://127.0.0.1:<port> while the block runs (https, asking for a client certificate,
    with ``tls`` from :func:`mutual_tls_files`); yields its URL."""
    port = free_port()
    more = {"ssl_certfile": tls["server_cert"], "ssl_keyfile": tls["server_key"], "ssl_ca_certs": tls["ca"],
            "ssl_cert_reqs": ssl.CERT_REQUIRED} if tls else {}
    server = uvicorn.Server(uvicorn.Config(stand_in.app(), host="127.0.0.1", port=port, log_level="warning", **more))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.025)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def throwaway_signer(name: str = "test signer") -> FileSigner:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    return FileSigner(kid=name, authority=None, certificate=cert, chain=[cert], private_key=key)


def _certificate(name: str, key, issuer: x509.Name, issuer_key, *, ca: bool = False, usage=None, ip: str | None = None):
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(issuer).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def mutual_tls_files(folder: Path) -> dict:
    """A throwaway CA, the system's server certificate for 127.0.0.1 and esibook's client certificate, as PEM
    files in ``folder``: ``ca``, ``server_cert``, ``server_key``, ``client_cert``, ``client_key``."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test NDXP CA")])
    ca = _certificate("test NDXP CA", ca_key, ca_name, ca_key, ca=True)
    files = {"ca": folder / "ca.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for who, usage, ip in (("server", ExtendedKeyUsageOID.SERVER_AUTH, "127.0.0.1"),
                           ("client", ExtendedKeyUsageOID.CLIENT_AUTH, None)):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(f"test {who}", key, ca_name, ca_key, usage=usage, ip=ip)
        files[f"{who}_cert"], files[f"{who}_key"] = folder / f"{who}.pem", folder / f"{who}.key"
        files[f"{who}_cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[f"{who}_key"].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return {name: str(path) for name, path in files.items()}
