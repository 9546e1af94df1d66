-- SPDX-License-Identifier: GPL-3.0-or-later
-- One schema per tenant. Placeholders: {{schema}} (quoted tenant_<hex> name), {{runtime}},
-- {{owner}} (quoted roles), {{tenant_id}} (quoted literal UUID).

CREATE TABLE {{schema}}.users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          citext NOT NULL UNIQUE CHECK (char_length(email::text) BETWEEN 3 AND 254),
    name           text NOT NULL DEFAULT '' CHECK (char_length(name) <= 200),
    password_hash  text CHECK (char_length(password_hash) <= 512),
    role           text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{0,40}$'),
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    locale         text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Custom roles a tenant defines on top of the built-in ones (policy file).
CREATE TABLE {{schema}}.roles (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,40}$'),
    permissions  text[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {{schema}}.projects (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    owner_id    uuid REFERENCES {{schema}}.users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_created ON {{schema}}.projects (created_at, id);

CREATE TABLE {{schema}}.invites (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email        citext NOT NULL CHECK (char_length(email::text) BETWEEN 3 AND 254),
    role         text NOT NULL CHECK (role ~ '^[a-z][a-z0-9_]{0,40}$'),
    token_hash   bytea NOT NULL UNIQUE,
    invited_by   uuid REFERENCES {{schema}}.users (id) ON DELETE SET NULL,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz
);
CREATE UNIQUE INDEX invites_one_pending ON {{schema}}.invites (email) WHERE status = 'pending';

CREATE TABLE {{schema}}.settings (
    key         text PRIMARY KEY CHECK (key IN ('security', 'notifications', 'limits')),
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {{schema}}.settings (key, value) VALUES
    ('security', '{"mfa_required": false, "session_lifetime_minutes": 480, "external_issuer": null, "support_access_allowed": true}'),
    ('notifications', '{"email_recipients": [], "webhooks": []}'),
    ('limits', '{"seats": 25}');

REVOKE ALL ON ALL TABLES IN SCHEMA {{schema}} FROM PUBLIC;
GRANT USAGE ON SCHEMA {{schema}} TO {{runtime}};
GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.users, {{schema}}.projects,
    {{schema}}.invites, {{schema}}.roles TO {{runtime}};
GRANT SELECT, UPDATE ON {{schema}}.settings TO {{runtime}};
