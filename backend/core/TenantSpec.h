// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QUuid>

#include <optional>

namespace tenantry {

// A tenant as the control plane knows it.
struct Tenant {
    QUuid id;
    QString slug;
    QString name;
    QString tier;
    QString status;
    QString region;
    QString placement;
    QString schema;
    int schemaVersion = 0;
    int rateLimitRps = 0; // 0 = the tier's default
    int rateLimitBurst = 0;
    QString createdAt;
    QString updatedAt;

    QJsonObject toJson() const;
    // "tenant_" + 32 lowercase hex digits: derived from the UUID only, never from request text.
    static QString schemaFor(const QUuid &id);
};

// What `tenant create` asks for, validated before anything touches the database.
struct TenantSpec {
    QString name;
    QString slug; // derived from the name when empty
    QString tier = QStringLiteral("standard");
    QString region = QStringLiteral("local");
    QString ownerEmail;
    QString ownerPassword;

    // Normalises (derives the slug, trims the name) and validates. Returns an error message a
    // person can act on, or nothing when the spec is fine.
    std::optional<QString> normalise();

    static bool isValidSlug(const QString &slug);
    static QString slugFromName(const QString &name);
    static bool isValidEmail(const QString &email);
};

} // namespace tenantry
