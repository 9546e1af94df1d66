// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace tenantry {

// Argon2id through libargon2 with OWASP's minimum parameters (19 MiB, t=2, p=1). Hashes are the
// PHC string format, so the parameters travel with each hash and can be raised later.
class PasswordHasher {
public:
    struct Params {
        unsigned memoryKiB = 19456;
        unsigned iterations = 2;
        unsigned parallelism = 1;
    };

    PasswordHasher();
    explicit PasswordHasher(Params params);

    QString hash(const QString &password) const;
    bool verify(const QString &password, const QString &encoded) const;
    // True when `encoded` was made with other parameters (or another algorithm).
    bool needsRehash(const QString &encoded) const;

private:
    Params m_params;
};

} // namespace tenantry
