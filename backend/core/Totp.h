// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace tenantry {

// RFC 6238 TOTP through liboath (30 s steps, 6 digits, HMAC-SHA1 as every authenticator app
// expects), plus the single-use recovery codes that stand in for a lost device.
class Totp {
public:
    static constexpr int kStepSeconds = 30;
    static constexpr int kDigits = 6;

    static QByteArray newSecret(); // 20 random bytes (RFC 4226 §4)
    static QString base32(const QByteArray &secret);
    // otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
    static QString provisioningUri(const QByteArray &secret, const QString &issuer,
                                   const QString &account);
    // The time step the code belongs to (within +-1 step of `now`), or nothing. Callers refuse a
    // step that is not newer than the last one used, so a code cannot be replayed.
    static std::optional<qint64> verify(const QByteArray &secret, const QString &code, qint64 now);
    // For tests and tools: the code at `now` with `digits` digits and the given HMAC (0 = SHA1,
    // 1 = SHA256, 2 = SHA512, liboath's flags).
    static QString generate(const QByteArray &secret, qint64 now, int digits = kDigits,
                            int flags = 0);

    // Ten codes like "k7dq-2m9x-p4rt", returned once to show; store only their hashes.
    static QStringList newRecoveryCodes(int count = 10);
    static QByteArray recoveryCodeHash(const QString &code); // SHA-256 of the normalised code
};

} // namespace tenantry
