// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace tenantry {

// Encrypts secrets that live in the database (signing keys, TOTP seeds) under a key-encryption
// key (KEK) that never enters the database: AES-256-GCM (OpenSSL EVP), a random 96-bit nonce
// per message, and an associated-data label that binds each ciphertext to its purpose and row,
// so a ciphertext copied into another row or column does not decrypt.
// Format: "v1" || nonce(12) || ciphertext || tag(16).
class KeyEncryption {
public:
    static constexpr qsizetype kKeySize = 32;

    explicit KeyEncryption(QByteArray kek);

    // The KEK from TENANTRY_KEY_ENCRYPTION_KEY / the config (base64, 32 bytes), else
    // <data-dir>/kek, created with mode 0600 on first use. Replicas sharing one database must share
    // the KEK.
    static std::optional<KeyEncryption> load(const QString &configured, const QString &dataDir,
                                             QString *error);

    QByteArray encrypt(const QByteArray &plaintext, const QByteArray &label) const;
    std::optional<QByteArray> decrypt(const QByteArray &sealed, const QByteArray &label) const;

private:
    QByteArray m_kek;
};

} // namespace tenantry
