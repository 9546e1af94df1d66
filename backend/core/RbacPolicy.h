// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QBitArray>
#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace tenantry {

// The role -> permission map. It is data (resources/policy/rbac.json, compiled in as
// :/policy/rbac.json), not code, so the matrix is reviewed in one place and a tenant-defined role
// can only be built from permissions the API actually checks. Immutable after construction, so
// one instance is shared by every worker thread without locking.
class RbacPolicy {
public:
    // Strict: the JSON must pass StrictJson (so a duplicate role is an error, not "last one
    // wins"), have only the members "$comment", "permissions" and "roles", name permissions as
    // "resource:action" and roles as [a-z][a-z0-9_]*, list each permission once, and give each
    // role an array of known permissions or exactly ["*"] (every permission). `error` gets a
    // short English reason for logs and tests.
    static std::optional<RbacPolicy> fromJson(const QByteArray &json, QString *error);
    // Parsed once, on first use, from :/policy/rbac.json. A broken built-in policy is a build
    // defect, so it is fatal rather than a silent deny-all.
    static const RbacPolicy &builtIn();

    QStringList roles() const;       // built-in role names, sorted
    QStringList permissions() const; // every known permission, in the policy's order
    bool isKnownPermission(const QString &p) const;
    bool isBuiltInRole(const QString &role) const;

    // Effective permissions of a set of roles, in the policy's order. `customRoles` maps a
    // tenant-defined role to its permissions; unknown permissions in them are ignored (never an
    // error: a permission removed from the policy must not lock a tenant out of its other
    // grants), and "*" is not special there. A built-in role name always means the built-in
    // role, so a tenant cannot redefine "owner". Roles that are neither grant nothing.
    QStringList permissionsFor(const QStringList &roles,
                               const QHash<QString, QStringList> &customRoles = {}) const;
    bool allows(const QStringList &roles, const QString &permission,
                const QHash<QString, QStringList> &customRoles = {}) const;
    // A grantor may grant `role` only if every permission of `role` is among the grantor's own,
    // so nobody can hand out more than they hold. An unknown role cannot be granted. This is the
    // escalation check only: the route still requires member:manage / member:invite.
    bool canGrant(const QStringList &grantorRoles, const QString &role,
                  const QHash<QString, QStringList> &customRoles = {}) const;

    static bool isValidPermissionName(const QString &name);
    static bool isValidRoleName(const QString &name);

private:
    RbacPolicy() = default;
    QBitArray bitsOf(const QStringList &permissions) const;
    // The permissions of one role, built-in first; nullopt when the role is unknown.
    std::optional<QBitArray> roleBits(const QString &role,
                                      const QHash<QString, QStringList> &customRoles) const;
    QBitArray effective(const QStringList &roles,
                        const QHash<QString, QStringList> &customRoles) const;

    QStringList m_permissions;
    QHash<QString, int> m_index;
    QHash<QString, QBitArray> m_roles;
};

} // namespace tenantry
