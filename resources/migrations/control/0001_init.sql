-- SPDX-License-Identifier: GPL-3.0-or-later
-- Control plane: the tenant registry, and shared tables whose rows carry tenant_id and are
-- isolated by row-level security (enabled AND forced, so the owner is subject to it too).
-- Placeholders: {{owner}}, {{runtime}} are quoted role names.

CREATE TABLE tenantry_control.tenants (
    id              uuid PRIMARY KEY,
    slug            text NOT NULL UNIQUE
                    CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    tier            text NOT NULL CHECK (tier IN ('standard', 'enterprise')),
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'locked', 'suspended', 'offboarded')),
    region          text NOT NULL CHECK (region ~ '^[a-z][a-z0-9-]{0,31}$'),
    placement       text NOT NULL DEFAULT 'shared-schema'
                    CHECK (placement IN ('shared-schema', 'dedicated-database')),
    schema_name     text NOT NULL UNIQUE CHECK (schema_name ~ '^tenant_[0-9a-f]{32}$'),
    schema_version  integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The runtime role's login secret, shared by every server process on this database.
-- Readable by the owner and admins only.
CREATE TABLE tenantry_control.runtime_credentials (
    role_name  text PRIMARY KEY,
    secret     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA tenantry_shared;

-- The per-tenant event stream (audit and business events). Append-only for the runtime role.
CREATE TABLE tenantry_shared.events (
    tenant_id  uuid NOT NULL REFERENCES tenantry_control.tenants (id),
    seq        bigint NOT NULL CHECK (seq > 0),
    id         uuid NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text CHECK (char_length(actor) <= 200),
    act        text CHECK (char_length(act) <= 200),
    action     text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
    resource   text CHECK (char_length(resource) <= 300),
    ip         text CHECK (char_length(ip) <= 64),
    trace_id   text CHECK (char_length(trace_id) <= 64),
    data       jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash  bytea,
    hash       bytea,
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, id)
);
CREATE INDEX events_tenant_at ON tenantry_shared.events (tenant_id, at);
CREATE INDEX events_tenant_action ON tenantry_shared.events (tenant_id, action, seq);

ALTER TABLE tenantry_shared.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenantry_shared.events FORCE ROW LEVEL SECURITY;
-- current_setting(..., true) is '' (not NULL) after a transaction that set it has ended; NULLIF
-- turns both into NULL, so an unset context matches no row and every insert fails WITH CHECK.
CREATE POLICY tenant_isolation ON tenantry_shared.events
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

-- Daily usage counters per tenant (requests, storage), also isolated by RLS.
CREATE TABLE tenantry_shared.usage_daily (
    tenant_id  uuid NOT NULL REFERENCES tenantry_control.tenants (id),
    day        date NOT NULL,
    requests   bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
    PRIMARY KEY (tenant_id, day)
);
ALTER TABLE tenantry_shared.usage_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenantry_shared.usage_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenantry_shared.usage_daily
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

-- Runtime privileges: read the registry, append and read events, count usage. Nothing else.
GRANT USAGE ON SCHEMA tenantry_control TO {{runtime}};
GRANT SELECT ON tenantry_control.tenants TO {{runtime}};
GRANT USAGE ON SCHEMA tenantry_shared TO {{runtime}};
GRANT SELECT, INSERT ON tenantry_shared.events TO {{runtime}};
GRANT SELECT, INSERT, UPDATE ON tenantry_shared.usage_daily TO {{runtime}};
GRANT SELECT ON tenantry_control.schema_migrations TO {{runtime}};
