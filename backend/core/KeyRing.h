// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/KeyEncryption.h"
#include "core/SigningKeyStore.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QSqlDatabase>

#include <atomic>
#include <memory>

namespace tenantry {

// The process-wide, thread-safe view of the signing keys. Workers read a snapshot; a reload
// (periodic, or when a token names a kid we do not know, e.g. after another process rotated)
// swaps in a new one. Reloads are rate-limited so unknown-kid floods cannot hammer the database.
class KeyRing {
public:
    KeyRing(KeyEncryption kek, int retentionSeconds);

    std::shared_ptr<const SigningKeyStore::KeySet> keys() const;
    quint64 generation() const { return m_generation.load(); }
    bool reload(QSqlDatabase &db, QString *error);
    // Reloads when the snapshot is older than `maxAgeMs`, or when `force` is set and the last
    // reload is older than kForcedReloadIntervalMs (an unknown kid: rate-limited so that a flood
    // of made-up kids costs at most one query per interval). Uses the caller's (thread-owned)
    // connection.
    void refresh(QSqlDatabase &db, qint64 maxAgeMs, bool force = false);
    // Before signing: makes sure the snapshot's current key is the database's current key (one
    // indexed query), reloading when another process rotated, so that new tokens carry the new
    // kid at once rather than after the periodic refresh. False only on a database error.
    bool ensureCurrent(QSqlDatabase &db, QString *error);

    static constexpr qint64 kForcedReloadIntervalMs = 2000;

private:
    KeyEncryption m_kek;
    int m_retention;
    mutable QMutex m_mutex;
    std::shared_ptr<const SigningKeyStore::KeySet> m_keys;
    std::atomic<quint64> m_generation{0};
    QElapsedTimer m_loaded;
    QString m_failedKid; // guarded by m_mutex
};

} // namespace tenantry
