"""Fixtures of the blocking-client tests: a loopback HTTP(S) server, with a test CA for TLS."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.support.servers import LoopbackServer


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 from a throwaway test CA (trustme): (CA cert, server PEM)."""
    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    ca_cert, server_pem = folder / "ca.pem", folder / "server.pem"
    authority.cert_pem.write_to_path(str(ca_cert))
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    return ca_cert, server_pem


@pytest.fixture
def tls_loopback(tls_files: tuple[Path, Path]) -> Iterator[tuple[LoopbackServer, ssl.SSLContext]]:
    """A TLS loopback server and a client SSL context that trusts it."""
    ca_cert, server_pem = tls_files
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(server_pem)
    client_ctx = ssl.create_default_context(cafile=str(ca_cert))
    with LoopbackServer(tls=server_ctx) as server:
        yield server, client_ctx
