// Drives the org with openid-client (OpenID-certified relying party library) and reports each
// step as one JSON line on stdout. The browser part (login and consent) is done by the
// Python test with Playwright: this script prints the authorization URL, then reads the
// callback URL the browser landed on from stdin. Likewise for the device flow's approval.
import * as client from "openid-client";
import { createInterface } from "node:readline";

const env = process.env;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function report(step, data = {}) {
  process.stdout.write(JSON.stringify({ step, ...data }) + "\n");
}

async function nextLine() {
  const { value, done } = await lines.next();
  if (done) throw new Error("stdin closed before the test answered");
  return value.trim();
}

async function configure(clientId, clientSecret) {
  return client.discovery(new URL(env.ISSUER), clientId, clientSecret, undefined, {
    execute: [client.allowInsecureRequests], // the org runs on loopback http in tests
  });
}

async function webServerFlow() {
  const config = await configure(env.WEB_CLIENT_ID, env.WEB_CLIENT_SECRET);
  const metadata = config.serverMetadata();
  report("discovery", {
    issuer: metadata.issuer,
    grant_types_supported: metadata.grant_types_supported ?? [],
    code_challenge_methods_supported: metadata.code_challenge_methods_supported ?? [],
  });

  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: env.REDIRECT_URI,
    scope: "openid api refresh_token",
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  report("authorize", { url: url.href });
  const callback = new URL(await nextLine());

  // Checks state, iss (RFC 9207), PKCE, and the id_token's signature against the JWKS,
  // its issuer, audience, expiry and nonce.
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  report("token", {
    sub: claims.sub,
    id_token_verified: true,
    has_refresh_token: Boolean(tokens.refresh_token),
    token_type: tokens.token_type,
  });

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  report("userinfo", { sub: userinfo.sub, email: userinfo.email ?? null });

  const introspected = await client.tokenIntrospection(config, tokens.access_token);
  report("introspect", { active: introspected.active, client_id: introspected.client_id ?? null });

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  report("refresh", {
    new_access_token: refreshed.access_token !== tokens.access_token,
    rotated_refresh_token: Boolean(refreshed.refresh_token) &&
      refreshed.refresh_token !== tokens.refresh_token,
  });

  const latestRefresh = refreshed.refresh_token ?? tokens.refresh_token;
  await client.tokenRevocation(config, latestRefresh, { token_type_hint: "refresh_token" });
  const afterRevoke = await client.tokenIntrospection(config, refreshed.access_token);
  report("revoke", { access_token_active_after_revoke: afterRevoke.active });
}

async function clientCredentialsFlow() {
  const config = await configure(env.CC_CLIENT_ID, env.CC_CLIENT_SECRET);
  const tokens = await client.clientCredentialsGrant(config, { scope: "api" });
  const introspected = await client.tokenIntrospection(config, tokens.access_token);
  report("client_credentials", {
    has_refresh_token: Boolean(tokens.refresh_token),
    active: introspected.active,
  });
}

async function deviceFlow() {
  const config = await configure(env.DEVICE_CLIENT_ID, env.DEVICE_CLIENT_SECRET);
  const started = await client.initiateDeviceAuthorization(config, { scope: "api" });
  report("device", {
    user_code: started.user_code,
    verification_uri: started.verification_uri,
    interval: started.interval ?? 5,
  });
  const tokens = await client.pollDeviceAuthorizationGrant(config, started);
  report("device_token", { has_access_token: Boolean(tokens.access_token) });
}

try {
  await webServerFlow();
  await clientCredentialsFlow();
  if (env.DEVICE_CLIENT_ID) await deviceFlow();
  report("done");
  process.exit(0);
} catch (error) {
  report("error", { name: error?.name ?? "Error", message: String(error?.message ?? error), code: error?.code ?? null, cause: error?.cause ? JSON.stringify(error.cause) : null });
  process.exit(1);
}
