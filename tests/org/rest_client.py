"""A small REST client over Django's test client, as an integration would call the org."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.test import Client

from config.org_paths import API_VERSION

API = f"/services/data/v{API_VERSION}"


@dataclass
class Rest:
    client: Client
    token: str
    version: str = API_VERSION

    @property
    def base(self) -> str:
        return f"/services/data/v{self.version}"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **headers: str):
        return self.client.get(self._url(path), headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: bytes | str | None = None,
             content_type: str = "application/json", **headers: str):  # fmt: skip
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.generic(
            method, self._url(path), data, content_type=content_type, headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, **options: Any):
        return self.send("POST", path, body, **options)

    def patch(self, path: str, body: Any = None, **options: Any):
        return self.send("PATCH", path, body, **options)

    def delete(self, path: str):
        return self.send("DELETE", path)

    def query(self, soql: str, *, resource: str = "query", **headers: str):
        return self.get(f"/{resource}?q={quote(soql)}", **headers)

    def create(self, sobject: str, **values: Any) -> str:
        response = self.post(f"/sobjects/{sobject}/", values)
        assert response.status_code == 201, response.content
        record_id: str = response.json()["id"]
        return record_id

    def _url(self, path: str) -> str:
        return path if path.startswith("/services/") else self.base + path


def rest_for(oauth: Any, *, owner: str = "tests", username: str = "ada@handshake.example") -> Rest:
    """A REST client with a client-credentials token of a fresh app of `owner`."""
    app = oauth.app(grants=["client_credentials"], run_as=username, owner=owner)
    response = oauth.token(app, grant_type="client_credentials")
    assert response.status_code == 200, response.content
    return Rest(oauth.client, response.json()["access_token"])
