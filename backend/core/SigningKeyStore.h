// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/KeyEncryption.h"
#include "core/SigningKey.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace tenantry {

// The issuer's signing keys as kept in tenantry_control.signing_keys.
// One key is current (signs new tokens); retired keys stay published in the JWKS until every
// token they signed has expired, then drop out.
class SigningKeyStore {
public:
    struct KeySet {
        SigningKey current;          // with its private half
        QList<SigningKey> published; // public halves: current + still-valid retired keys
    };

    // Makes a new key current and retires the previous one. Needs the owner role (admin
    // connection after SET ROLE) — the runtime role cannot write keys.
    static std::optional<SigningKey> rotate(QSqlDatabase &db, const KeyEncryption &kek,
                                            SigningKey::Type type, QString *error);
    // Creates a first key when there is none (first start).
    static bool ensureCurrent(QSqlDatabase &db, const KeyEncryption &kek, QString *error);
    // Loads what serving needs; `retention` is the longest token lifetime plus leeway.
    static std::optional<KeySet> load(QSqlDatabase &db, const KeyEncryption &kek,
                                      int retentionSeconds, QString *error);

    static QByteArray labelFor(const QString &kid);
};

} // namespace tenantry
