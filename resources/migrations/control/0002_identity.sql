-- SPDX-License-Identifier: GPL-3.0-or-later
-- Token signing keys and support operators.

-- Private halves are AES-256-GCM sealed under a key-encryption key that lives outside the
-- database (data dir or config); the database alone cannot sign a token.
CREATE TABLE tenantry_control.signing_keys (
    kid          text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{43}$'),
    alg          text NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
    private_key  bytea NOT NULL,
    public_jwk   jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz
);
-- At most one current (unretired) key at a time.
CREATE UNIQUE INDEX signing_keys_one_current ON tenantry_control.signing_keys ((true))
    WHERE retired_at IS NULL;

-- Cross-tenant support staff. They never log in to a tenant directly; a support session issues
-- a token for the tenant with an `act` claim naming the operator.
CREATE TABLE tenantry_control.operators (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          citext NOT NULL UNIQUE CHECK (char_length(email::text) BETWEEN 3 AND 254),
    password_hash  text NOT NULL CHECK (char_length(password_hash) <= 512),
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at     timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT ON tenantry_control.signing_keys TO {{runtime}};
GRANT SELECT ON tenantry_control.operators TO {{runtime}};
GRANT UPDATE (password_hash) ON tenantry_control.operators TO {{runtime}};
