-- SPDX-License-Identifier: GPL-3.0-or-later
-- Per-tenant rate limits (NULL = the tier's default) and the audit hash chain's head per tenant.

ALTER TABLE tenantry_control.tenants
    ADD COLUMN rate_limit_rps   integer CHECK (rate_limit_rps BETWEEN 1 AND 100000),
    ADD COLUMN rate_limit_burst integer CHECK (rate_limit_burst BETWEEN 1 AND 200000);

-- The exact bytes that were hashed, so anyone can re-verify the chain from an export.
ALTER TABLE tenantry_shared.events ADD COLUMN canonical bytea;

-- One row per tenant: the newest seq and hash. Appends lock it, which makes seq gap-free and the
-- chain linear even with many concurrent writers.
CREATE TABLE tenantry_shared.event_heads (
    tenant_id  uuid PRIMARY KEY REFERENCES tenantry_control.tenants (id),
    seq        bigint NOT NULL CHECK (seq >= 0),
    hash       bytea NOT NULL
);
ALTER TABLE tenantry_shared.event_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenantry_shared.event_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenantry_shared.event_heads
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);

-- Appends one event in one round trip. SECURITY INVOKER: it runs with the caller's rights and
-- under the caller's RLS context. `body` is the canonical JSON the application produced (keys
-- sorted, compact); what is hashed is  "tenantry-audit-v1\n" || seq || "\n" || body , chained as
-- hash = sha256(prev_hash || that).
CREATE FUNCTION tenantry_shared.append_event(p_tenant uuid, p_id uuid, p_at timestamptz,
        p_actor text, p_act text, p_action text, p_resource text, p_ip text, p_trace text,
        p_data jsonb, p_body bytea)
    RETURNS TABLE (seq bigint, hash bytea)
    LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_seq bigint;
    v_prev bytea;
    v_canonical bytea;
    v_hash bytea;
BEGIN
    INSERT INTO tenantry_shared.event_heads (tenant_id, seq, hash)
        VALUES (p_tenant, 0, decode(repeat('00', 32), 'hex'))
        ON CONFLICT (tenant_id) DO NOTHING;
    SELECT h.seq, h.hash INTO v_seq, v_prev FROM tenantry_shared.event_heads h
        WHERE h.tenant_id = p_tenant FOR UPDATE;
    v_seq := v_seq + 1;
    v_canonical := convert_to('tenantry-audit-v1' || chr(10) || v_seq::text || chr(10), 'UTF8') || p_body;
    v_hash := sha256(v_prev || v_canonical);
    INSERT INTO tenantry_shared.events (tenant_id, seq, id, at, actor, act, action, resource, ip,
            trace_id, data, prev_hash, hash, canonical)
        VALUES (p_tenant, v_seq, p_id, p_at, p_actor, p_act, p_action, p_resource, p_ip, p_trace,
            p_data, v_prev, v_hash, v_canonical);
    UPDATE tenantry_shared.event_heads SET seq = v_seq, hash = v_hash WHERE tenant_id = p_tenant;
    RETURN QUERY SELECT v_seq, v_hash;
END
$fn$;
REVOKE ALL ON FUNCTION tenantry_shared.append_event(uuid, uuid, timestamptz, text, text, text, text,
    text, text, jsonb, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenantry_shared.append_event(uuid, uuid, timestamptz, text, text, text,
    text, text, text, jsonb, bytea) TO {{runtime}};
GRANT SELECT, INSERT, UPDATE ON tenantry_shared.event_heads TO {{runtime}};
