// A real OpenID Connect provider (node-oidc-provider, a certified
// implementation) for the auth service's SSO tests, on a loopback port.
//
// Settings (environment):
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the confidential client the auth service is
//   OIDC_REDIRECT_URIS                  its redirect URIs, comma-separated
//   OIDC_ACCOUNTS                       JSON: { "<subject>": { "email", "name", "email_verified" } }
//
// Interactions are the library's development forms: a login form (the login
// is the account's subject; an unknown subject is refused by findAccount) and a
// consent form. When listening it prints one JSON line on stdout:
//   {"issuer":"http://127.0.0.1:<port>","port":<port>}

import http from 'node:http';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is required`);
    process.exit(2);
  }
  return value;
};

const clientId = env('OIDC_CLIENT_ID');
const clientSecret = env('OIDC_CLIENT_SECRET');
const redirectUris = env('OIDC_REDIRECT_URIS').split(',').map((u) => u.trim()).filter(Boolean);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const server = http.createServer();

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.email_verified !== false,
            name: account.name,
          };
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // ID tokens carry the claims themselves (no userinfo round trip needed).
    conformIdTokenClaims: false,
    pkce: { required: () => true, methods: ['S256'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['lawos-test-oidc-cookie-key'] },
    ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Session: 600, Interaction: 600, Grant: 600 },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

// Ends with the test that started it: stdin closes when the parent goes away.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
