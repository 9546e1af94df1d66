// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/PasswordHasher.h"

#include <QByteArray>
#include <QRandomGenerator>

#include <argon2.h>

namespace tenantry {

PasswordHasher::PasswordHasher()
    : m_params(Params()) {}

PasswordHasher::PasswordHasher(Params params)
    : m_params(params) {}

QString PasswordHasher::hash(const QString &password) const {
    const QByteArray pwd = password.toUtf8();
    QByteArray salt(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(salt.data()), 4);
    const size_t len =
        argon2_encodedlen(m_params.iterations, m_params.memoryKiB, m_params.parallelism,
                          uint32_t(salt.size()), 32, Argon2_id);
    QByteArray encoded(qsizetype(len), '\0');
    const int rc = argon2id_hash_encoded(
        m_params.iterations, m_params.memoryKiB, m_params.parallelism, pwd.constData(),
        size_t(pwd.size()), salt.constData(), size_t(salt.size()), 32, encoded.data(), len);
    if (rc != ARGON2_OK)
        qFatal("argon2id_hash_encoded failed: %s", argon2_error_message(rc));
    return QString::fromLatin1(encoded.constData());
}

bool PasswordHasher::verify(const QString &password, const QString &encoded) const {
    if (!encoded.startsWith(QStringLiteral("$argon2id$")) || encoded.size() > 512)
        return false;
    const QByteArray pwd = password.toUtf8();
    const QByteArray enc = encoded.toLatin1();
    return argon2id_verify(enc.constData(), pwd.constData(), size_t(pwd.size())) == ARGON2_OK;
}

bool PasswordHasher::needsRehash(const QString &encoded) const {
    const QString expected = QStringLiteral("$argon2id$v=19$m=%1,t=%2,p=%3$")
                                 .arg(m_params.memoryKiB)
                                 .arg(m_params.iterations)
                                 .arg(m_params.parallelism);
    return !encoded.startsWith(expected);
}

} // namespace tenantry
