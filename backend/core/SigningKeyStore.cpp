// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/SigningKeyStore.h"

#include "core/SqlSupport.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace tenantry {

QByteArray SigningKeyStore::labelFor(const QString &kid) {
    return "tenantry.signing-key:" + kid.toLatin1();
}

std::optional<SigningKey> SigningKeyStore::rotate(QSqlDatabase &db, const KeyEncryption &kek,
                                                  SigningKey::Type type, QString *error) {
    const SigningKey key = SigningKey::generate(type);
    if (key.isNull()) {
        *error = QStringLiteral("key generation failed");
        return std::nullopt;
    }
    const QString kid = key.kid();
    const QByteArray sealed = kek.encrypt(key.toPkcs8Der(), labelFor(kid));
    const bool ok = sql::inTransaction(db, error, [&] {
        QSqlQuery q(db);
        return sql::exec(q,
                         QStringLiteral("SELECT pg_advisory_xact_lock(hashtext('tenantry.keys'))"),
                         {}, error) &&
               sql::exec(
                   q,
                   QStringLiteral("UPDATE tenantry_control.signing_keys SET retired_at = now() "
                                  "WHERE retired_at IS NULL"),
                   {}, error) &&
               sql::exec(q,
                         QStringLiteral("INSERT INTO tenantry_control.signing_keys (kid, alg, "
                                        "private_key, public_jwk) VALUES (?, ?, ?, ?::jsonb)"),
                         {kid, key.alg(), sealed,
                          QString::fromUtf8(
                              QJsonDocument(key.jwksEntry()).toJson(QJsonDocument::Compact))},
                         error);
    });
    if (!ok)
        return std::nullopt;
    return key;
}

bool SigningKeyStore::ensureCurrent(QSqlDatabase &db, const KeyEncryption &kek, QString *error) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral(
            "SELECT count(*) FROM tenantry_control.signing_keys WHERE retired_at IS NULL")) ||
        !q.next()) {
        *error = q.lastError().databaseText();
        return false;
    }
    if (q.value(0).toInt() > 0)
        return true;
    q.finish();
    QString e;
    if (rotate(db, kek, SigningKey::Type::Es256, &e))
        return true;
    // Another process created the first key at the same moment (unique index).
    if (e.contains(QStringLiteral("signing_keys_one_current")))
        return true;
    *error = e;
    return false;
}

std::optional<SigningKeyStore::KeySet> SigningKeyStore::load(QSqlDatabase &db,
                                                             const KeyEncryption &kek,
                                                             int retentionSeconds, QString *error) {
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!sql::exec(q,
                   QStringLiteral(
                       "SELECT kid, private_key, retired_at IS NULL FROM "
                       "tenantry_control.signing_keys WHERE retired_at IS NULL OR "
                       "retired_at > now() - make_interval(secs => ?) ORDER BY created_at DESC"),
                   {retentionSeconds}, error))
        return std::nullopt;
    KeySet set;
    while (q.next()) {
        const QString kid = q.value(0).toString();
        const auto der = kek.decrypt(q.value(1).toByteArray(), labelFor(kid));
        if (!der) {
            *error = QStringLiteral("signing key %1 cannot be decrypted: wrong key-encryption key?")
                         .arg(kid);
            return std::nullopt;
        }
        QString parseError;
        const SigningKey key = SigningKey::fromPkcs8Der(*der, &parseError);
        if (key.isNull() || key.kid() != kid) {
            *error = QStringLiteral("signing key %1 is damaged: %2").arg(kid, parseError);
            return std::nullopt;
        }
        if (q.value(2).toBool())
            set.current = key;
        set.published.append(key.publicKey());
    }
    if (set.current.isNull()) {
        *error = QStringLiteral("no current signing key (run tenantry-server keys rotate)");
        return std::nullopt;
    }
    return set;
}

} // namespace tenantry
