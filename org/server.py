"""The org's authorization server: authlib's Django server with the org's grants, client
authentication, token shapes and error wording; plus revocation and introspection.

The server object holds no state (everything lives in the database), so building it
once per process is safe.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import cache, partial
from typing import Any

from authlib.common.encoding import json_dumps
from authlib.common.security import is_secure_transport
from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc8628 import DeviceAuthorizationEndpoint
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict

from org import devices, errors, statements, throttles, tokens
from org.client_authentication import (
    DEVICE_AUTHORIZATION,
    INTROSPECTION,
    REVOCATION,
    TOKEN,
    authenticate_client,
)
from org.connected_apps import DEVICE_CODE
from org.errors import InvalidRequest, as_org_error
from org.extension_grants import (
    AssetTokenGrant,
    DeviceGrant,
    JwtBearerGrant,
    LegacySamlAssertionGrant,
    SalesforceDeviceGrant,
    SamlBearerGrant,
)
from org.grants import (
    ClientCredentialsGrant,
    OpenIDConnect,
    PasswordGrant,
    RefreshGrant,
    S256CodeChallenge,
    UserAgentGrant,
    WebServerGrant,
)
from org.models import AccessToken, ConnectedApp, TokenFamily
from org.scopes import REFRESH_SCOPES
from org.tls.client_certificate import presented_certificate

MAX_VALUE_LENGTH = 64 * 1024
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
# RFC 6749 §2.3.1 and §3.2: credentials and grants never travel in a URL.
_NEVER_IN_URL = frozenset(
    {
        "client_secret",
        "code",
        "code_verifier",
        "refresh_token",
        "password",
        "token",
        "assertion",
        "device_code",
        "subject_token",
        "actor_token",
    }
)

NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
JSON_HEADERS = [("Content-Type", "application/json"), *NO_STORE]
MAX_CLIENT_ID_LENGTH = 200


def oauth_error(status: int, error: str, description: str) -> HttpResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    for name, value in NO_STORE:
        response[name] = value
    return response


def back_channel_problem(request: HttpRequest) -> HttpResponse | None:
    """An OAuth error for a request the back-channel endpoints must not even parse."""
    if request.method != "POST":
        response = oauth_error(405, "invalid_request", "must use HTTP POST")
        response["Allow"] = "POST"
        return response
    if not is_secure_transport(request.build_absolute_uri()):
        return oauth_error(400, "invalid_request", "HTTPS required")
    if request.content_type != FORM_MEDIA_TYPE:
        # RFC 6749 §4.1.3: parameters come form-encoded in the request body.
        return oauth_error(400, "invalid_request", f"the request body must be {FORM_MEDIA_TYPE}")
    if _NEVER_IN_URL & set(request.GET):
        return oauth_error(
            400, "invalid_request", "credentials belong in the request body, never in the URL"
        )
    try:
        form = request.POST
    except (SuspiciousOperation, UnicodeDecodeError, ValueError):
        return oauth_error(400, "invalid_request", "the request body could not be read")
    for name, values in form.lists():
        if len(values) > 1:
            # RFC 6749 §3.2: parameters MUST NOT be included more than once.
            return oauth_error(400, "invalid_request", "a parameter was sent more than once")
        for value in (name, *values):
            if "\x00" in value or len(value) > MAX_VALUE_LENGTH:
                return oauth_error(
                    400, "invalid_request", "a parameter is too long or holds a NUL character"
                )
    return None


class Payload(OAuth2Payload):  # type: ignore[misc]
    """Parameters from one place only: the query for the authorization endpoint, the form
    body for the back channel (RFC 6749 §3.2: credentials never travel in a URL)."""

    def __init__(self, params: QueryDict) -> None:
        self._params = params

    @property
    def data(self) -> dict[str, str]:
        return {key: self._params.get(key, "") for key in self._params}

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for key in self._params:
            values[key].extend(self._params.getlist(key))
        return values


class OrgRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(self, request: HttpRequest, *, front_channel: bool) -> None:
        super().__init__(
            method=request.method, uri=request.build_absolute_uri(), headers=request.headers
        )
        self._django_request = request
        self.payload = Payload(request.GET if front_channel else request.POST)
        self.remote_address = request.META.get("REMOTE_ADDR", "")
        self.client_certificate = presented_certificate(request)
        self.auth_time: datetime | None = None
        self.token_family: TokenFamily | None = None

    @property
    def args(self) -> QueryDict:
        return self._django_request.GET

    @property
    def form(self) -> QueryDict:
        return self._django_request.POST


class OrgRevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009. Unknown tokens and other apps' tokens get the same empty 200 (§2.2)."""

    def create_endpoint_response(self, request: OrgRequest) -> tuple[int, str, list[Any]]:
        client = self.server.authenticate_client(request, [], REVOCATION)
        value = request.form.get("token")
        if not value:
            raise InvalidRequest("token is required")
        # token_type_hint only speeds up a lookup (§2.1); an unknown hint is ignored.
        tokens.revoke(value, client=client)
        return 200, "", NO_STORE


class OrgIntrospectionEndpoint(IntrospectionEndpoint):  # type: ignore[misc]
    """RFC 7662: an authenticated app may look at its own tokens; anything else is inactive."""

    def create_endpoint_response(
        self, request: OrgRequest
    ) -> tuple[int, dict[str, Any], list[Any]]:
        client = self.server.authenticate_client(request, [], INTROSPECTION)
        value = request.form.get("token")
        if not value:
            raise InvalidRequest("token is required")
        return 200, tokens.introspect(value, client=client), JSON_HEADERS


class OrgDeviceAuthorizationEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
    """RFC 8628 §3.1-3.2. Also answers Salesforce's start of the device flow, a POST to the
    token endpoint with response_type=device_code, with the same body."""

    EXPIRES_IN = int(devices.LIFETIME.total_seconds())
    INTERVAL = devices.INTERVAL

    def create_endpoint_response(
        self, request: OrgRequest
    ) -> tuple[int, dict[str, Any], list[Any]]:
        client: ConnectedApp = self.server.authenticate_client(request, [], DEVICE_AUTHORIZATION)
        if not client.allows_grant(DEVICE_CODE):
            raise errors.UnauthorizedClient()
        scope = client.get_allowed_scope(request.payload.scope)
        if scope is None:
            raise errors.InvalidScope()
        started = devices.start(app=client, scope=scope)
        return 200, devices.response_body(started), JSON_HEADERS


class OrgAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(ConnectedApp, AccessToken)

    def query_client(self, client_id: object) -> ConnectedApp | None:
        return self.find_client(client_id)

    def find_client(
        self, client_id: object, *, lock_key: str = "", with_run_as: bool = False
    ) -> ConnectedApp | None:
        """The app with this consumer key, read fresh; with a throttle's `lock_key`, it also
        carries that key's lock-out (throttles.annotated_lock_end): one query for both.
        `with_run_as` joins the run-as user in, for the one grant that acts as it."""
        if not isinstance(client_id, str) or not client_id:
            return None
        if len(client_id) > MAX_CLIENT_ID_LENGTH or "\x00" in client_id:
            return None
        if lock_key:
            return _app_lookup(locked=True, with_run_as=with_run_as).first(
                client_id=client_id, lock_key=lock_key
            )
        return _app_lookup(locked=False, with_run_as=with_run_as).first(client_id=client_id)

    def authenticate_client(self, request: Any, methods: Any, endpoint: str = "token") -> Any:
        # Only client credentials acts as the app's run-as user; other requests skip the join.
        acts_as_run_as = (
            endpoint == TOKEN
            and request.form.get("grant_type") == ClientCredentialsGrant.GRANT_TYPE
        )
        find_app = partial(self.find_client, with_run_as=acts_as_run_as)
        return authenticate_client(request, endpoint=endpoint, find_app=find_app)

    def create_oauth2_request(self, request: Any) -> OrgRequest:
        if isinstance(request, OrgRequest):
            return request
        return OrgRequest(request, front_channel=False)

    def generate_token(
        self,
        grant_type: str,
        client: ConnectedApp,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        scope = scope or " ".join(client.scopes)
        if grant_type != "refresh_token":
            # Salesforce: a refresh token needs the refresh_token (or offline_access) scope
            # and the refresh flow enabled on the app.
            include_refresh_token = (
                include_refresh_token
                and bool(set(scope.split()) & REFRESH_SCOPES)
                and client.allows_grant("refresh_token")
            )
        minted = tokens.mint(
            app=client, user=user, scope=scope, include_refresh_token=include_refresh_token
        )
        return {"_minted": minted}

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        minted: tokens.Minted = token.pop("_minted")
        code = request.authorization_code
        grant_type = request.payload.grant_type or "implicit"
        family = tokens.store(
            minted,
            app=request.client,
            user=request.user,
            grant_type=grant_type,
            code=code,
            parent=request.refresh_token,
            auth_time=code.auth_time if code is not None else request.auth_time,
            nonce=code.nonce if code is not None else "",
        )
        request.token_family = family
        token.update(
            tokens.salesforce_response(
                minted, app=request.client, user=request.user, grant_type=grant_type
            )
        )

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> HttpResponse:
        body = json_dumps(payload) if isinstance(payload, dict) else payload
        response = HttpResponse(body, status=status_code)
        for name, value in headers:
            response[name] = value
        # RFC 6749 §5.1: responses carrying tokens or errors about them are never cached.
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    def handle_error_response(self, request: Any, error: Any) -> HttpResponse:
        response: HttpResponse = super().handle_error_response(request, as_org_error(error))
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        # Nothing listens; the org does not announce itself to anyone.
        return None


@cache
def _app_lookup(*, locked: bool, with_run_as: bool) -> statements.Lookup[ConnectedApp]:
    related = ("org", "run_as__user", "run_as__org") if with_run_as else ("org",)

    def apps(client_id: str, lock_key: str = "") -> QuerySet[ConnectedApp]:
        # client_id is unique: no ORDER BY (the model's ordering) to compile or run.
        rows = ConnectedApp.objects.select_related(*related).filter(client_id=client_id)
        return throttles.with_lock_end(rows.order_by(), lock_key) if locked else rows.order_by()

    return statements.Lookup(apps, "client_id", *(["lock_key"] if locked else []))


@cache
def get_server() -> OrgAuthorizationServer:
    server = OrgAuthorizationServer()
    server.register_grant(WebServerGrant, [S256CodeChallenge(), OpenIDConnect()])
    server.register_grant(UserAgentGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_grant(PasswordGrant)
    server.register_grant(RefreshGrant, [OpenIDConnect()])
    server.register_grant(JwtBearerGrant)
    server.register_grant(SamlBearerGrant)
    server.register_grant(LegacySamlAssertionGrant)
    server.register_grant(DeviceGrant, [OpenIDConnect()])
    server.register_grant(SalesforceDeviceGrant, [OpenIDConnect()])
    server.register_grant(AssetTokenGrant)
    server.register_endpoint(OrgRevocationEndpoint)
    server.register_endpoint(OrgIntrospectionEndpoint)
    server.register_endpoint(OrgDeviceAuthorizationEndpoint)
    return server
