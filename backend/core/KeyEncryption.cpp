// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/KeyEncryption.h"

#include <QDir>
#include <QFile>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <sys/stat.h>

namespace tenantry {

namespace {
constexpr int kNonce = 12;
constexpr int kTag = 16;
const QByteArray kVersion = QByteArrayLiteral("v1");

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
} // namespace

KeyEncryption::KeyEncryption(QByteArray kek)
    : m_kek(std::move(kek)) {
    Q_ASSERT(m_kek.size() == kKeySize);
}

std::optional<KeyEncryption> KeyEncryption::load(const QString &configured, const QString &dataDir,
                                                 QString *error) {
    if (!configured.isEmpty()) {
        const auto decoded = QByteArray::fromBase64Encoding(
            configured.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != kKeySize) {
            *error = QStringLiteral("the key-encryption key must be 32 bytes in base64");
            return std::nullopt;
        }
        return KeyEncryption(decoded.decoded);
    }
    const QString path = dataDir + QStringLiteral("/kek");
    QFile f(path);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(path);
            return std::nullopt;
        }
        const auto decoded = QByteArray::fromBase64Encoding(
            f.readAll().trimmed(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != kKeySize) {
            *error = QStringLiteral("%1 does not hold a 32-byte base64 key").arg(path);
            return std::nullopt;
        }
        return KeyEncryption(decoded.decoded);
    }
    QDir().mkpath(dataDir);
    QByteArray kek(kKeySize, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(kek.data()), kKeySize) != 1) {
        *error = QStringLiteral("no randomness for a key-encryption key");
        return std::nullopt;
    }
    // Create with 0600 from the start; never a window where others could read it.
    const mode_t old = ::umask(077);
    const bool opened = f.open(QIODevice::WriteOnly | QIODevice::NewOnly);
    ::umask(old);
    if (!opened) {
        // Lost a race with another process creating it: use theirs.
        if (QFile::exists(path))
            return load(configured, dataDir, error);
        *error = QStringLiteral("cannot create %1").arg(path);
        return std::nullopt;
    }
    f.write(kek.toBase64() + '\n');
    f.close();
    return KeyEncryption(kek);
}

QByteArray KeyEncryption::encrypt(const QByteArray &plaintext, const QByteArray &label) const {
    QByteArray nonce(kNonce, Qt::Uninitialized);
    RAND_bytes(reinterpret_cast<unsigned char *>(nonce.data()), kNonce);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    QByteArray out = kVersion + nonce;
    out.resize(out.size() + plaintext.size() + kTag);
    auto *cipher = reinterpret_cast<unsigned char *>(out.data()) + kVersion.size() + kNonce;
    int len = 0;
    int total = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr,
                           reinterpret_cast<const unsigned char *>(m_kek.constData()),
                           reinterpret_cast<const unsigned char *>(nonce.constData())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char *>(label.constData()),
                          int(label.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), cipher, &len,
                          reinterpret_cast<const unsigned char *>(plaintext.constData()),
                          int(plaintext.size())) != 1)
        qFatal("AES-GCM encryption failed");
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), cipher + total, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, cipher + plaintext.size()) != 1)
        qFatal("AES-GCM encryption failed");
    return out;
}

std::optional<QByteArray> KeyEncryption::decrypt(const QByteArray &sealed,
                                                 const QByteArray &label) const {
    if (sealed.size() < kVersion.size() + kNonce + kTag || !sealed.startsWith(kVersion))
        return std::nullopt;
    const auto *nonce =
        reinterpret_cast<const unsigned char *>(sealed.constData()) + kVersion.size();
    const auto *cipher = nonce + kNonce;
    const int cipherLen = int(sealed.size() - kVersion.size() - kNonce - kTag);
    QByteArray tag = sealed.right(kTag);
    QByteArray plain(cipherLen, Qt::Uninitialized);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int len = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr,
                           reinterpret_cast<const unsigned char *>(m_kek.constData()),
                           nonce) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                          reinterpret_cast<const unsigned char *>(label.constData()),
                          int(label.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()), &len, cipher,
                          cipherLen) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1)
        return std::nullopt;
    int finalLen = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()) + len,
                            &finalLen) != 1)
        return std::nullopt; // wrong key, wrong label, or tampered
    return plain;
}

} // namespace tenantry
