// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Totp.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QUrl>

#include <liboath/oath.h>

#include <mutex>

namespace tenantry {

namespace {
void initOath() {
    static std::once_flag once;
    std::call_once(once, [] { oath_init(); });
}
} // namespace

QByteArray Totp::newSecret() {
    QByteArray s(20, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(s.data()), 5);
    return s;
}

QString Totp::base32(const QByteArray &secret) {
    initOath();
    char *out = nullptr;
    size_t len = 0;
    if (oath_base32_encode(secret.constData(), size_t(secret.size()), &out, &len) != OATH_OK)
        return {};
    QString result = QString::fromLatin1(out, qsizetype(len));
    free(out);
    result.remove(u'=');
    return result;
}

QString Totp::provisioningUri(const QByteArray &secret, const QString &issuer,
                              const QString &account) {
    const QString label = QString::fromLatin1(QUrl::toPercentEncoding(issuer)) + u':' +
                          QString::fromLatin1(QUrl::toPercentEncoding(account));
    return QStringLiteral("otpauth://totp/") + label + QStringLiteral("?secret=") + base32(secret) +
           QStringLiteral("&issuer=") + QString::fromLatin1(QUrl::toPercentEncoding(issuer)) +
           QStringLiteral("&algorithm=SHA1&digits=6&period=30");
}

std::optional<qint64> Totp::verify(const QByteArray &secret, const QString &code, qint64 now) {
    if (code.size() != kDigits)
        return std::nullopt;
    for (const QChar c : code) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    initOath();
    int position = 0;
    uint64_t counter = 0;
    const QByteArray otp = code.toLatin1();
    const int rc = oath_totp_validate4(secret.constData(), size_t(secret.size()), time_t(now),
                                       kStepSeconds, 0, 1, &position, &counter, 0, otp.constData());
    if (rc < 0)
        return std::nullopt;
    return qint64(counter);
}

QString Totp::generate(const QByteArray &secret, qint64 now, int digits, int flags) {
    initOath();
    char out[16] = {};
    if (oath_totp_generate2(secret.constData(), size_t(secret.size()), time_t(now), kStepSeconds, 0,
                            unsigned(digits), flags, out) != OATH_OK)
        return {};
    return QString::fromLatin1(out);
}

QStringList Totp::newRecoveryCodes(int count) {
    // No 0/o/1/l/i: codes are read off paper.
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
    QStringList codes;
    for (int n = 0; n < count; ++n) {
        QString code;
        for (int i = 0; i < 12; ++i) {
            if (i > 0 && i % 4 == 0)
                code += u'-';
            code += QLatin1Char(
                alphabet[QRandomGenerator::system()->bounded(int(sizeof alphabet - 1))]);
        }
        codes << code;
    }
    return codes;
}

QByteArray Totp::recoveryCodeHash(const QString &code) {
    QString normal = code.trimmed().toLower();
    normal.remove(u'-');
    normal.remove(u' ');
    return QCryptographicHash::hash(normal.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace tenantry
