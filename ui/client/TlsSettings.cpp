// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/TlsSettings.h"

#include <QCryptographicHash>
#include <QSslKey>

namespace tenantry::client {

void TlsSettings::applyTo(QSslConfiguration &config) const {
    QList<QSslCertificate> cas;
    if (useSystemCaCertificates)
        cas = QSslConfiguration::systemCaCertificates();
    cas.append(caCertificates);
    config.setCaCertificates(cas);
}

QByteArray TlsSettings::publicKeyPin(const QSslCertificate &certificate) {
    if (certificate.isNull())
        return {};
    const QByteArray der = certificate.publicKey().toDer();
    if (der.isEmpty())
        return {};
    return QCryptographicHash::hash(der, QCryptographicHash::Sha256);
}

QByteArray TlsSettings::parsePin(const QString &text) {
    QString t = text.trimmed();
    if (t.startsWith(QLatin1String("sha256/")))
        t = t.mid(7);
    const QByteArray latin = t.toLatin1();
    if (latin.size() == 64) {
        const QByteArray hex = QByteArray::fromHex(latin);
        if (hex.size() == 32)
            return hex;
    }
    const auto decoded = QByteArray::fromBase64Encoding(latin);
    if (decoded && decoded.decoded.size() == 32)
        return decoded.decoded;
    return {};
}

bool TlsSettings::matchesPin(const QSslCertificate &peer) const {
    if (pinnedPublicKeys.isEmpty())
        return true;
    const QByteArray pin = publicKeyPin(peer);
    return !pin.isEmpty() && pinnedPublicKeys.contains(pin);
}

} // namespace tenantry::client
