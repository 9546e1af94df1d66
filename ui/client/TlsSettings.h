// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QSslCertificate>
#include <QSslConfiguration>

namespace tenantry::client {

// How the console trusts a server over HTTPS. Custom CA certificates (a private CA for an
// on-premises server) are added to the system's trust store, or replace it when
// `useSystemCaCertificates` is off. When `pinnedPublicKeys` is non-empty, a connection succeeds
// only if the SHA-256 of the peer certificate's public key (DER, SubjectPublicKeyInfo) is one of
// them — checked after the handshake, on QNetworkReply::encrypted.
class TlsSettings {
public:
    QList<QSslCertificate> caCertificates;
    bool useSystemCaCertificates = true;
    QSet<QByteArray> pinnedPublicKeys; // raw 32-byte SHA-256 digests

    bool isDefault() const { return caCertificates.isEmpty() && useSystemCaCertificates; }
    void applyTo(QSslConfiguration &config) const;

    // The pin of a certificate's public key, as stored in pinnedPublicKeys.
    static QByteArray publicKeyPin(const QSslCertificate &certificate);
    // Accepts "sha256/<base64>" (HPKP style) or plain base64 / hex of the digest.
    static QByteArray parsePin(const QString &text);
    bool matchesPin(const QSslCertificate &peer) const;
};

} // namespace tenantry::client
