from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from org.connected_apps import (
    DEFAULT_GRANTS,
    DEFAULT_SCOPES,
    ConnectedAppError,
    create_connected_app,
)


class Command(BaseCommand):
    help = "Create a connected app in the demo org and print its consumer key and secret."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the credentials as JSON")
        parser.add_argument("--name", required=True)
        parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
        parser.add_argument(
            "--grant", action="append", default=[], dest="grants", help="a grant_type, or implicit"
        )
        parser.add_argument("--scope", action="append", default=[], dest="scopes")
        parser.add_argument("--public", action="store_true", help="no consumer secret")
        parser.add_argument("--cert", type=Path, help="PEM certificate for JWT bearer assertions")
        parser.add_argument("--saml-idp-cert", type=Path, help="PEM certificate of a SAML IdP")
        parser.add_argument(
            "--client-cert",
            type=Path,
            help="PEM: a self-signed client certificate, or one followed by its issuing CA "
            "(RFC 8705 mutual TLS authentication on the TLS port)",
        )
        parser.add_argument("--run-as", help="username the client credentials flow acts as")
        parser.add_argument(
            "--pre-authorize", action="append", default=[], help="username (admin-approved app)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            issued = create_connected_app(
                name=options["name"],
                redirect_uris=options["redirect_uris"],
                grants=options["grants"] or DEFAULT_GRANTS,
                scopes=options["scopes"] or DEFAULT_SCOPES,
                public=options["public"],
                run_as=options["run_as"],
                pre_authorize=options["pre_authorize"],
                cert_pem=_read(options["cert"]),
                saml_idp_cert_pem=_read(options["saml_idp_cert"]),
                client_certificate=_read(options["client_cert"]) or "",
            )
        except ConnectedAppError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps({"client_id": issued.client_id, "client_secret": issued.client_secret})
            )
        else:
            self.stdout.write(f"client_id: {issued.client_id}")
            self.stdout.write(f"client_secret: {issued.client_secret or '(none: public app)'}")


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
