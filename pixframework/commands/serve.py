"""``pixf serve``: run the headless gRPC server."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .common import checked


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="run the gRPC server (remote sessions, live prediction)",
        description="Serve projects under --data-root over gRPC. Binds loopback by default; a non-loopback "
        "address needs --token-file. SIGTERM or Ctrl-C stops gracefully and saves open projects.",
    )
    p.add_argument("--address", default="127.0.0.1:50051", type=checked(_address),
                   help="host:port to listen on (default: %(default)s)")
    p.add_argument("--data-root", required=True, type=Path, help="directory all client paths are relative to")
    p.add_argument("--token-file", type=Path,
                   help="file holding the token clients must send, or one 'NAME ROLE TOKEN' line per user "
                   "(roles: admin, user); required off loopback")
    p.add_argument("--tls-cert", type=Path, help="PEM certificate chain (with --tls-key: serve over TLS)")
    p.add_argument("--tls-key", type=Path, help="PEM private key")
    p.add_argument("--idle-timeout", type=float, default=1800.0, metavar="S",
                   help="close sessions idle for S seconds, saving their projects; 0 never (default: %(default)s)")
    p.add_argument("--max-upload-mb", type=float, default=4096.0, help="largest uploaded array in MiB (default: %(default)s)")
    p.add_argument("--max-sessions", type=int, default=256, help="most sessions open at once (default: %(default)s)")
    p.add_argument("--workers", type=int, default=32, help="threads serving calls (default: %(default)s)")
    p.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                   help="set any server limit, e.g. --limit max_classes=32 --limit max_work_bytes=2e9 "
                   "(names and defaults: docs/server.md, 'Limits')")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(run=run)


def _address(text: str) -> str:
    from ..server.address import split_address  # no grpc: checked before the server parts load

    split_address(text)
    return text.strip()


def run(args: argparse.Namespace) -> int:
    from ..server.app import serve
    from ..server.auth import read_token_file
    from ..limits import MiB, Limits

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = read_token_file(args.token_file) if args.token_file else None
    tls_cert = _read_pem(args.tls_cert, "--tls-cert")
    tls_key = _read_pem(args.tls_key, "--tls-key")
    limits = Limits(
        **{
            "idle_timeout": args.idle_timeout,
            "max_upload_bytes": int(args.max_upload_mb * MiB),
            "max_sessions": args.max_sessions,
            **parse_limits(args.limit),
        }
    )
    serve(args.address, data_root=args.data_root, token=token, tls_cert=tls_cert, tls_key=tls_key,
          limits=limits, max_workers=args.workers)  # fmt: skip
    return 0


def parse_limits(items: list[str]) -> dict[str, float | int]:
    """``["max_classes=32", ...]`` as keyword arguments of :class:`~pixframework.limits.Limits`."""
    from ..errors import ValidationError
    from ..limits import Limits

    defaults = Limits().to_json()
    values: dict[str, float | int] = {}
    for item in items:
        name, _, text = item.partition("=")
        if name not in defaults or not text:
            raise ValidationError(f"--limit {item!r}: use NAME=VALUE with one of: {', '.join(defaults)}")
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(f"--limit {item!r}: {text!r} is not a number") from None
        if isinstance(defaults[name], int) and not number.is_integer():
            raise ValidationError(f"--limit {item!r}: {name} is a whole number")
        values[name] = int(number) if isinstance(defaults[name], int) else number
    return values


def _read_pem(path: Path | None, option: str) -> bytes | None:
    from ..errors import ValidationError

    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
