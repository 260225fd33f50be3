// A local oidc-provider for the end-to-end interop tests (tests/interop/, tests/cli/).
//
//   node interop/server.mjs [--event-log PATH]
//
// Listens on 127.0.0.1 on a port the OS chooses and prints one line
// `READY <port>` on stdout once it accepts connections. The issuer is
// http://127.0.0.1:<port>. Clients come from clients.json beside this file.
//
// Login and consent need no person: GET /interaction/<uid> logs in the
// subject named by the request's `login_hint` (default `user1`), grants every
// requested scope, and redirects back; `login_hint=deny` answers
// access_denied instead.
//
// The provider's error events (and each successful grant) are appended as JSON lines to the event log
// (--event-log PATH, else $INTEROP_EVENT_LOG, else stderr), written before
// the response that caused them is sent.
//
// Environment:
//   INTEROP_ACCESS_TOKEN_TTL  access token lifetime in seconds (default 3600)
//   INTEROP_PORT              listen on this port instead of one the OS
//                             chooses (a restarted server keeps its issuer)
//   INTEROP_MAX_SECONDS       the process exits after this long (default 600)
//   INTEROP_EXIT_WITH_STDIN   when `1`, exit as soon as stdin closes (the
//                             test harness holds it open, so a killed test
//                             run never leaves this server behind)
//
// Device flow: the provider's device authorization response has no
// `interval` (clients then wait the RFC's 5 s between polls). Test-only: a
// device authorization request whose URL carries `?interop_interval=N` (a
// positive integer) is answered with `"interval": N` added, so the device
// tests poll every N seconds; without it, the provider's answer is unchanged.
//
// Test-only: in-memory state, keys generated at start, nothing secret.

import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

import * as pages from './pages.mjs';

const EVENTS = [
  'authorization.error',
  'backchannel.error',
  'challenge.error',
  'code_verification.error',
  'device_authorization.error',
  'device_resume.error',
  'discovery.error',
  'end_session.error',
  'end_session_confirm.error',
  'end_session_success.error',
  'grant.error',
  // Not an error: every token the token endpoint issues, so a test can
  // count refreshes.
  'grant.success',
  'grant.revoked',
  'introspection.error',
  'jwks.error',
  'pushed_authorization_request.error',
  'registration_create.error',
  'revocation.error',
  'server_error',
  'userinfo.error',
];

function option(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function positiveInteger(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const eventLog = option('--event-log') ?? process.env.INTEROP_EVENT_LOG;
const accessTokenTtl = positiveInteger('INTEROP_ACCESS_TOKEN_TTL', 3600);
const maxSeconds = positiveInteger('INTEROP_MAX_SECONDS', 600);

function record(entry) {
  const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
  if (eventLog) {
    appendFileSync(eventLog, line);
  } else {
    process.stderr.write(line);
  }
}

function describeError(err) {
  if (!err || typeof err !== 'object') return { error: String(err) };
  return {
    error: err.error ?? err.name,
    error_description: err.error_description,
    error_detail: err.error_detail,
    status: err.statusCode ?? err.status,
    message: err.message,
    ...(err.expose === false || !err.error ? { stack: err.stack } : {}),
  };
}

const { clients } = JSON.parse(readFileSync(new URL('./clients.json', import.meta.url), 'utf8'));

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const config = {
  clients,
  // A new key, with a new kid, at every start: a restart is a key rotation.
  jwks: { keys: [{ ...signingKey, kid: `interop-rs256-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['interop-cookie-key-for-tests-only'] },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, name: sub, email: `${sub}@example.test`, email_verified: true };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    deviceFlow: {
      enabled: true,
      userCodeInputSource: pages.userCodeInputSource,
      userCodeConfirmSource: pages.userCodeConfirmSource,
      successSource: pages.successSource,
    },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: pages.logoutSource,
      postLogoutSuccessSource: pages.postLogoutSuccessSource,
    },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    // DPoP (RFC 9449) with a nonce required in every proof, at the token
    // endpoint and at userinfo; requests without a proof are unaffected.
    dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
    // Pushed authorization requests (RFC 9126) at /request, optional.
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
  },
  renderError: pages.renderError,
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: { AccessToken: accessTokenTtl },
};

// Answers one interaction without a person; returns the result to resume with.
async function autoApprove(provider, details) {
  const { prompt, params, session, grantId } = details;
  const hint = typeof params.login_hint === 'string' && params.login_hint !== ''
    ? params.login_hint
    : 'user1';
  if (hint === 'deny') {
    return { error: 'access_denied', error_description: 'the test user denied the request' };
  }
  switch (prompt.name) {
    case 'login':
      return { login: { accountId: hint } };
    case 'consent': {
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      return { consent: { grantId: await grant.save() } };
    }
    default:
      return { error: 'invalid_request', error_description: `unexpected prompt ${prompt.name}` };
  }
}

async function interaction(provider, req, res) {
  if (req.method !== 'GET') {
    res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    const result = await autoApprove(provider, details);
    const merge = details.prompt.name !== 'login';
    const returnTo = await provider.interactionResult(req, res, result, { mergeWithLastSubmission: merge });
    res.writeHead(303, { Location: returnTo, 'Content-Length': '0' });
    res.end();
  } catch (err) {
    record({ event: 'interaction.error', path: req.url.split('?')[0], ...describeError(err) });
    if (!res.headersSent) {
      res.writeHead(err.statusCode ?? 500, { 'Content-Type': 'text/plain' });
    }
    res.end(`interaction failed: ${err.error ?? err.message}\n`);
  }
}

// Adds `interval` to a device authorization response when the request's
// URL asks for one (see the header).
async function addDeviceInterval(ctx, next) {
  await next();
  const asked = ctx.query.interop_interval;
  if (ctx.oidc?.route !== 'device_authorization' || ctx.status !== 200 || asked === undefined) return;
  const interval = Number(asked);
  if (Number.isInteger(interval) && interval > 0 && typeof ctx.body === 'object') {
    ctx.body = { ...ctx.body, interval };
  }
}

const server = createServer();
server.listen(positiveInteger('INTEROP_PORT', 0), '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, config);
  for (const event of EVENTS) {
    provider.on(event, (ctx, err) => {
      const where = ctx && typeof ctx === 'object' && 'path' in ctx
        ? { method: ctx.method, path: ctx.path }
        : {};
      const what = err instanceof Error ? describeError(err) : {};
      record({ event, ...where, ...what });
    });
  }
  provider.use(addDeviceInterval);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res);
    } else {
      callback(req, res);
    }
  });
  process.stdout.write(`READY ${port}\n`);
});

setTimeout(() => {
  process.stderr.write(`interop server: exiting after INTEROP_MAX_SECONDS=${maxSeconds}\n`);
  process.exit(3);
}, maxSeconds * 1000).unref();

if (process.env.INTEROP_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
