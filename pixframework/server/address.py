"""Listening addresses (``host:port``): their form, and whether they stay on this machine.

No grpc here, so the command line can check ``--address`` before the server parts are imported.
"""

from __future__ import annotations

import ipaddress

from ..errors import ValidationError


def split_address(address: str) -> tuple[str, int]:
    """``"127.0.0.1:50051"`` -> ``("127.0.0.1", 50051)``; ``[::1]:0`` -> ``("::1", 0)``.

    :raises ValidationError: not ``HOST:PORT`` with a port 0..65535 (0: any free port).
    """
    host, sep, port = address.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValidationError(f"{address!r} is not HOST:PORT (e.g. 127.0.0.1:50051; port 0 picks a free one)")
    return host, int(port)


def is_loopback(address: str) -> bool:
    """Whether ``host:port`` binds only the loopback interface (``localhost``, ``127.x``, ``[::1]``)."""
    host = address.rsplit(":", 1)[0] if ":" in address else address
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name could resolve to anything
