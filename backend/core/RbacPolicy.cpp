// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/RbacPolicy.h"

#include "core/StrictJson.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

// The policy lives in a static library's resources; make sure the linker keeps them.
static void initPolicyResources() {
    Q_INIT_RESOURCE(policy);
}

namespace tenantry {

namespace {

const QString kWildcard = QStringLiteral("*");

bool fail(QString *error, const QString &message) {
    if (error)
        *error = message;
    return false;
}

} // namespace

bool RbacPolicy::isValidPermissionName(const QString &name) {
    static const QRegularExpression pattern(
        QStringLiteral("^[a-z][a-z_]{0,31}:[a-z][a-z_]{0,31}$"));
    return pattern.match(name).hasMatch();
}

bool RbacPolicy::isValidRoleName(const QString &name) {
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9_]{0,62}$"));
    return pattern.match(name).hasMatch();
}

std::optional<RbacPolicy> RbacPolicy::fromJson(const QByteArray &json, QString *error) {
    QString reason;
    // StrictJson rejects duplicate keys, which QJsonDocument would silently collapse: two
    // "admin" entries must be a reviewable error, not whichever came last.
    const std::optional<QJsonObject> root = StrictJson::parseObject(json, &reason);
    if (!root) {
        fail(error, QStringLiteral("policy is not valid JSON: ") + reason);
        return std::nullopt;
    }
    for (auto it = root->begin(); it != root->end(); ++it) {
        if (it.key() != u"$comment" && it.key() != u"permissions" && it.key() != u"roles") {
            fail(error, QStringLiteral("unknown member \"") + it.key() + u'"');
            return std::nullopt;
        }
    }
    if (root->contains(u"$comment") && !root->value(u"$comment").isString()) {
        fail(error, QStringLiteral("\"$comment\" must be a string"));
        return std::nullopt;
    }

    RbacPolicy policy;
    const QJsonValue permissions = root->value(u"permissions");
    if (!permissions.isArray() || permissions.toArray().isEmpty()) {
        fail(error, QStringLiteral("\"permissions\" must be a non-empty array"));
        return std::nullopt;
    }
    for (const QJsonValue &value : permissions.toArray()) {
        const QString name = value.toString();
        if (!value.isString() || !isValidPermissionName(name)) {
            fail(error, QStringLiteral("bad permission name \"") + name + u'"');
            return std::nullopt;
        }
        if (policy.m_index.contains(name)) {
            fail(error, QStringLiteral("permission \"") + name + QStringLiteral("\" listed twice"));
            return std::nullopt;
        }
        policy.m_index.insert(name, int(policy.m_permissions.size()));
        policy.m_permissions.append(name);
    }

    const QJsonValue roles = root->value(u"roles");
    if (!roles.isObject() || roles.toObject().isEmpty()) {
        fail(error, QStringLiteral("\"roles\" must be a non-empty object"));
        return std::nullopt;
    }
    const QJsonObject roleObject = roles.toObject();
    for (auto it = roleObject.begin(); it != roleObject.end(); ++it) {
        const QString role = it.key();
        if (!isValidRoleName(role)) {
            fail(error, QStringLiteral("bad role name \"") + role + u'"');
            return std::nullopt;
        }
        if (!it->isArray()) {
            fail(error, QStringLiteral("role \"") + role +
                            QStringLiteral("\" must be an array of permissions"));
            return std::nullopt;
        }
        const QJsonArray grants = it->toArray();
        QBitArray bits(int(policy.m_permissions.size()));
        if (grants.size() == 1 && grants.first().toString() == kWildcard) {
            bits.fill(true);
        } else {
            for (const QJsonValue &grant : grants) {
                const QString name = grant.toString();
                // "*" among other entries is refused: it would make the others meaningless and
                // suggests the author meant something narrower.
                const int index = grant.isString() ? int(policy.m_index.value(name, -1)) : -1;
                if (index < 0) {
                    fail(error, QStringLiteral("role \"") + role +
                                    QStringLiteral("\" names unknown permission \"") + name + u'"');
                    return std::nullopt;
                }
                if (bits.testBit(index)) {
                    fail(error, QStringLiteral("role \"") + role + QStringLiteral("\" lists \"") +
                                    name + QStringLiteral("\" twice"));
                    return std::nullopt;
                }
                bits.setBit(index);
            }
        }
        policy.m_roles.insert(role, bits);
    }
    return policy;
}

const RbacPolicy &RbacPolicy::builtIn() {
    static const RbacPolicy policy = [] {
        initPolicyResources();
        QFile file(QStringLiteral(":/policy/rbac.json"));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("built-in RBAC policy :/policy/rbac.json is missing");
        QString error;
        std::optional<RbacPolicy> parsed = fromJson(file.readAll(), &error);
        if (!parsed)
            qFatal("built-in RBAC policy is invalid: %s", qPrintable(error));
        return std::move(*parsed);
    }();
    return policy;
}

QStringList RbacPolicy::roles() const {
    QStringList out = m_roles.keys();
    out.sort();
    return out;
}

QStringList RbacPolicy::permissions() const {
    return m_permissions;
}

bool RbacPolicy::isKnownPermission(const QString &p) const {
    return m_index.contains(p);
}

bool RbacPolicy::isBuiltInRole(const QString &role) const {
    return m_roles.contains(role);
}

QBitArray RbacPolicy::bitsOf(const QStringList &permissions) const {
    QBitArray bits(int(m_permissions.size()));
    for (const QString &p : permissions) {
        const int index = m_index.value(p, -1);
        if (index >= 0)
            bits.setBit(index);
    }
    return bits;
}

std::optional<QBitArray>
RbacPolicy::roleBits(const QString &role, const QHash<QString, QStringList> &customRoles) const {
    const auto builtIn = m_roles.constFind(role);
    if (builtIn != m_roles.constEnd())
        return *builtIn;
    const auto custom = customRoles.constFind(role);
    if (custom != customRoles.constEnd())
        return bitsOf(*custom);
    return std::nullopt;
}

QBitArray RbacPolicy::effective(const QStringList &roles,
                                const QHash<QString, QStringList> &customRoles) const {
    QBitArray bits(int(m_permissions.size()));
    for (const QString &role : roles) {
        if (const std::optional<QBitArray> r = roleBits(role, customRoles))
            bits |= *r;
    }
    return bits;
}

QStringList RbacPolicy::permissionsFor(const QStringList &roles,
                                       const QHash<QString, QStringList> &customRoles) const {
    const QBitArray bits = effective(roles, customRoles);
    QStringList out;
    for (int i = 0; i < bits.size(); ++i) {
        if (bits.testBit(i))
            out.append(m_permissions.at(i));
    }
    return out;
}

bool RbacPolicy::allows(const QStringList &roles, const QString &permission,
                        const QHash<QString, QStringList> &customRoles) const {
    const int index = m_index.value(permission, -1);
    if (index < 0)
        return false;
    return std::any_of(roles.cbegin(), roles.cend(), [&](const QString &role) {
        const std::optional<QBitArray> bits = roleBits(role, customRoles);
        return bits && bits->testBit(index);
    });
}

bool RbacPolicy::canGrant(const QStringList &grantorRoles, const QString &role,
                          const QHash<QString, QStringList> &customRoles) const {
    const std::optional<QBitArray> wanted = roleBits(role, customRoles);
    if (!wanted)
        return false;
    const QBitArray held = effective(grantorRoles, customRoles);
    // Anything wanted but not held makes the grant an escalation.
    return (*wanted & ~held).count(true) == 0;
}

} // namespace tenantry
