"""`stele pki …`: the command-line side of stele.central.pki and stele.central.acl."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

DEFAULT_DIR = "pki"


def _pki(args: argparse.Namespace) -> Any:
    from stele.central.pki import Pki

    return Pki(Path(args.dir))


def cmd_init(args: argparse.Namespace) -> int:
    path = _pki(args).init(name=args.name)
    print(f"created CA {path} (key {path.with_name('ca.key')}, mode 0600) and an empty CRL")
    return 0


def _issued(what: str, issued: Any) -> int:
    print(f"issued {what}: {issued.cert} (key {issued.key}, mode 0600)")
    return 0


def cmd_issue_server(args: argparse.Namespace) -> int:
    return _issued(f"broker certificate for {args.host}", _pki(args).issue_server(args.host))


def cmd_issue_device(args: argparse.Namespace) -> int:
    return _issued(f"stele certificate for {args.id}", _pki(args).issue_device(args.id))


def cmd_issue_central(args: argparse.Namespace) -> int:
    return _issued(f"central certificate for {args.name}", _pki(args).issue_central(args.name))


def cmd_revoke(args: argparse.Namespace) -> int:
    pki = _pki(args)
    serial = pki.revoke(args.id)
    print(
        f"revoked {args.id} (serial {serial:x}); copy {pki.crl_path} to the broker and "
        "restart it (Mosquitto reads its crlfile when it starts; docs/mqtt.md)"
    )
    return 0


def cmd_crl(args: argparse.Namespace) -> int:
    print(f"signed {_pki(args).refresh_crl()} again (valid for another year)")
    return 0


def cmd_acl(args: argparse.Namespace) -> int:
    from stele.central.acl import read_devices, render_acl

    text = render_acl(read_devices(Path(args.devices)), args.central or [], prefix=args.prefix)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        os.chmod(args.output, 0o644)
    else:
        print(text, end="")
    return 0


def add_parser(sub: Any) -> None:
    pki = sub.add_parser(
        "pki", help="certificates and broker ACLs for a city's fleet"
    ).add_subparsers(dest="pki_command", required=True)

    def command(name: str, func: Any, help: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = pki.add_parser(name, help=help)
        p.add_argument("--dir", default=DEFAULT_DIR, help="the PKI directory (default: ./pki)")
        p.set_defaults(func=func)
        return p

    init = command("init", cmd_init, "create the CA and an empty CRL")
    init.add_argument("--name", default="stele city CA", help="the CA's common name")
    command("issue-server", cmd_issue_server, "a broker certificate").add_argument("host")
    command("issue-device", cmd_issue_device, "a stele's client certificate").add_argument("id")
    command("issue-central", cmd_issue_central, "a central tool's certificate").add_argument("name")
    command("revoke", cmd_revoke, "revoke a stele's, central or broker certificate").add_argument(
        "id"
    )
    command("crl", cmd_crl, "sign the CRL again before it expires")
    acl = pki.add_parser("acl", help="print the Mosquitto ACL for the steles in DEVICES.txt")
    acl.add_argument("devices", metavar="DEVICES.txt", help="one 'ID ARS12' per line, # comments")
    acl.add_argument(
        "--central", action="append", metavar="NAME", help="a central identity (repeatable)"
    )
    acl.add_argument("--prefix", default="stele/v1", help="the topic prefix (mqtt.prefix)")
    acl.add_argument("-o", "--output", help="write to this file instead of printing")
    acl.set_defaults(func=cmd_acl)
