// A second, independent OpenID provider for the playground's external-server tests: panva's
// oidc-provider (OpenID Certified), with one confidential client, on a loopback port.
//
// Environment: PORT (0 or unset: the system picks a free one, so two starts never race for a
// port), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, CLIENT_AUTH.
// Prints one line, "listening <issuer>", once it accepts connections.
import http from "node:http";
import Provider from "oidc-provider";

const env = process.env;

const configuration = {
  clients: [
    {
      client_id: env.CLIENT_ID || "playground",
      client_secret: env.CLIENT_SECRET || "playground-secret-for-tests",
      redirect_uris: [env.REDIRECT_URI || "http://127.0.0.1:8000/playground/callback/"],
      response_types: ["code"],
      grant_types: [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
      ],
      token_endpoint_auth_method: env.CLIENT_AUTH || "client_secret_basic",
      scope: "openid profile email offline_access",
    },
  ],
  // RFC 9700 §2.1.1: PKCE for every authorization request, confidential clients included.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true }, // built-in login and consent pages: any username
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  // A refresh token for every code grant of a client allowed to refresh (no offline_access
  // consent dance), rotated on every use (RFC 9700 §4.14.2).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  rotateRefreshToken: true,
  claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, name: sub, email: `${sub}@example.test` }),
  }),
};

// The issuer names the port, so the provider is made once the socket is bound.
const server = http.createServer();
server.on("error", (error) => {
  console.error(`cannot listen: ${error.message}`);
  process.exit(1);
});
server.listen(Number(env.PORT || 0), "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  server.on("request", new Provider(issuer, configuration).callback());
  console.log(`listening ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
