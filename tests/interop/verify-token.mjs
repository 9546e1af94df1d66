// SPDX-License-Identifier: GPL-3.0-or-later
// Interoperability check with a JOSE implementation we did not write (panva/jose).
//
//   node verify-token.mjs <issuer-url> <access-token> <expected-tenant-id>
//
// 1. Fetches <issuer>/.well-known/openid-configuration and checks its `issuer`.
// 2. Verifies the access token the way a resource server would: remote JWKS from `jwks_uri`,
//    our issuer, audience `tenantry-api`, typ `at+jwt`, ES256/EdDSA only; then checks `tid`.
// 3. The reverse direction: mints ES256 tokens with a key the server has never seen (iss, aud,
//    typ and tid all right), once under an unknown kid and once under the server's own kid, for
//    the caller to present to the server, which must refuse both.
//
// Prints one JSON object on stdout: {verified, header, claims, jwks_uri, foreign_token,
// foreign_kid, impostor_token}, or {verified: false, error, code}. Exit status 0 when the token
// verified and `tid` matched, 1 otherwise, 2 on bad usage.
import { createRemoteJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';

const [issuer, token, tenantId] = process.argv.slice(2);
if (!issuer || !token || !tenantId) {
  process.stderr.write('usage: node verify-token.mjs <issuer-url> <access-token> <tenant-id>\n');
  process.exit(2);
}

function fail(error, code) {
  process.stdout.write(JSON.stringify({ verified: false, error: String(error), code: code ?? null }) + '\n');
  process.exit(1);
}

async function mintForeignToken(kid) {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ tid: tenantId, roles: ['owner'], amr: ['pwd'] })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setIssuer(issuer)
    .setAudience('tenantry-api')
    .setSubject('00000000-0000-4000-8000-000000000001')
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomBytes(16).toString('base64url'))
    .sign(privateKey);
}

let discovery;
try {
  // OpenID Connect Discovery §4: the path is appended to the issuer, which may have one.
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) fail(`discovery answered HTTP ${response.status}`, 'DISCOVERY');
  discovery = await response.json();
} catch (e) {
  fail(e.message ?? e, 'DISCOVERY');
}
if (discovery.issuer !== issuer) fail(`discovery issuer ${discovery.issuer} is not ${issuer}`, 'DISCOVERY');
if (typeof discovery.jwks_uri !== 'string') fail('discovery has no jwks_uri', 'DISCOVERY');

const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
let verified;
try {
  verified = await jwtVerify(token, jwks, {
    issuer,
    audience: 'tenantry-api',
    typ: 'at+jwt',
    algorithms: ['ES256', 'EdDSA'],
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'tid'],
  });
} catch (e) {
  fail(e.message ?? e, e.code);
}
if (verified.payload.tid !== tenantId) fail(`tid ${verified.payload.tid} is not ${tenantId}`, 'TENANT');

// A kid of the same shape as ours (43 base64url characters) that the server has never seen, and
// our own current kid with a signature from the wrong key.
const foreignKid = randomBytes(32).toString('base64url');
const foreign = await mintForeignToken(foreignKid);
const impostor = await mintForeignToken(verified.protectedHeader.kid);
process.stdout.write(
  JSON.stringify({
    verified: true,
    header: verified.protectedHeader,
    claims: verified.payload,
    jwks_uri: discovery.jwks_uri,
    foreign_token: foreign,
    foreign_kid: foreignKid,
    impostor_token: impostor,
  }) + '\n',
);
process.exit(0);
