// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/TenantSpec.h"

#include <QRegularExpression>

namespace tenantry {

QJsonObject Tenant::toJson() const {
    return {{QStringLiteral("id"), id.toString(QUuid::WithoutBraces)},
            {QStringLiteral("slug"), slug},
            {QStringLiteral("name"), name},
            {QStringLiteral("tier"), tier},
            {QStringLiteral("status"), status},
            {QStringLiteral("region"), region},
            {QStringLiteral("placement"), placement},
            {QStringLiteral("schema"), schema},
            {QStringLiteral("schema_version"), schemaVersion},
            {QStringLiteral("created_at"), createdAt},
            {QStringLiteral("updated_at"), updatedAt}};
}

QString Tenant::schemaFor(const QUuid &id) {
    return QStringLiteral("tenant_") + QString::fromLatin1(id.toString(QUuid::Id128).toLatin1());
}

bool TenantSpec::isValidSlug(const QString &slug) {
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$"));
    return re.match(slug).hasMatch();
}

QString TenantSpec::slugFromName(const QString &name) {
    // Decompose accents away (Café -> cafe), then keep [a-z0-9] runs joined by single hyphens.
    const QString folded = name.normalized(QString::NormalizationForm_KD).toLower();
    QString slug;
    for (const QChar c : folded) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
            slug += c;
        else if (c.category() == QChar::Mark_NonSpacing)
            continue;
        else if (!slug.isEmpty() && !slug.endsWith(u'-'))
            slug += u'-';
    }
    slug = slug.left(40);
    while (slug.endsWith(u'-'))
        slug.chop(1);
    return slug;
}

bool TenantSpec::isValidEmail(const QString &email) {
    // Deliberately simple: one @, a dot in the domain, no spaces or controls, <= 254 chars.
    static const QRegularExpression re(QStringLiteral(
        "^[^@\\s\\x00-\\x1f\\x7f]{1,64}@[^@\\s\\x00-\\x1f\\x7f]+\\.[^@\\s\\x00-\\x1f\\x7f]+$"));
    return email.size() <= 254 && re.match(email).hasMatch();
}

std::optional<QString> TenantSpec::normalise() {
    name = name.trimmed();
    if (name.isEmpty())
        return QStringLiteral("tenant name must not be empty");
    if (name.size() > 100)
        return QStringLiteral("tenant name must be at most 100 characters");
    for (const QChar c : std::as_const(name)) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return QStringLiteral("tenant name must not contain control characters");
    }
    if (slug.isEmpty()) {
        slug = slugFromName(name);
        if (slug.isEmpty())
            return QStringLiteral("cannot derive a slug from the name; pass --slug");
    }
    if (!isValidSlug(slug))
        return QStringLiteral("slug \"%1\" is invalid: use 1-40 of a-z, 0-9 and '-', not "
                              "starting or ending with '-'")
            .arg(slug.left(60));
    if (tier != u"standard" && tier != u"enterprise")
        return QStringLiteral("tier \"%1\" is invalid: use standard or enterprise")
            .arg(tier.left(40));
    static const QRegularExpression regionRe(QStringLiteral("^[a-z][a-z0-9-]{0,31}$"));
    if (!regionRe.match(region).hasMatch())
        return QStringLiteral("region \"%1\" is invalid: use up to 32 of a-z, 0-9 and '-', "
                              "starting with a letter (e.g. eu-central-1)")
            .arg(region.left(40));
    ownerEmail = ownerEmail.trimmed();
    if (ownerEmail.isEmpty() != ownerPassword.isEmpty())
        return QStringLiteral("--owner-email and --owner-password go together");
    if (!ownerEmail.isEmpty() && !isValidEmail(ownerEmail))
        return QStringLiteral("owner e-mail \"%1\" is not a valid address")
            .arg(ownerEmail.left(80));
    if (!ownerPassword.isEmpty() && (ownerPassword.size() < 12 || ownerPassword.size() > 256))
        return QStringLiteral("owner password must be 12 to 256 characters");
    return std::nullopt;
}

} // namespace tenantry
