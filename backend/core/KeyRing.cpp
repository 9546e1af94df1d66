// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/KeyRing.h"

#include "core/SqlSupport.h"

#include <QLoggingCategory>
#include <QSqlQuery>

#include <limits>

namespace tenantry {

Q_LOGGING_CATEGORY(lcKeys, "tenantry.keys")

KeyRing::KeyRing(KeyEncryption kek, int retentionSeconds)
    : m_kek(std::move(kek))
    , m_retention(retentionSeconds) {}

std::shared_ptr<const SigningKeyStore::KeySet> KeyRing::keys() const {
    QMutexLocker lock(&m_mutex);
    return m_keys;
}

bool KeyRing::reload(QSqlDatabase &db, QString *error) {
    auto loaded = SigningKeyStore::load(db, m_kek, m_retention, error);
    if (!loaded)
        return false;
    QMutexLocker lock(&m_mutex);
    const bool changed = !m_keys || m_keys->current.kid() != loaded->current.kid() ||
                         m_keys->published.size() != loaded->published.size();
    m_keys = std::make_shared<const SigningKeyStore::KeySet>(std::move(*loaded));
    m_loaded.start();
    if (changed) {
        m_generation.fetch_add(1);
        qCInfo(lcKeys).noquote() << "signing key" << m_keys->current.kid() << "current,"
                                 << m_keys->published.size() << "published";
    }
    return true;
}

void KeyRing::refresh(QSqlDatabase &db, qint64 maxAgeMs, bool force) {
    {
        QMutexLocker lock(&m_mutex);
        const qint64 age =
            m_loaded.isValid() ? m_loaded.elapsed() : std::numeric_limits<qint64>::max();
        const bool due = age >= maxAgeMs || (force && age >= kForcedReloadIntervalMs);
        if (!due)
            return;
        m_loaded.start(); // claim this reload; others keep using the current snapshot
    }
    QString error;
    if (!reload(db, &error))
        qCWarning(lcKeys).noquote() << "reloading signing keys failed:" << error;
}

bool KeyRing::ensureCurrent(QSqlDatabase &db, QString *error) {
    QSqlQuery q(db);
    if (!sql::exec(q,
                   QStringLiteral(
                       "SELECT kid FROM tenantry_control.signing_keys WHERE retired_at IS NULL"),
                   {}, error))
        return false;
    const QString current = q.next() ? q.value(0).toString() : QString();
    q.finish();
    const auto snapshot = keys();
    if (current.isEmpty() || (snapshot && snapshot->current.kid() == current))
        return true;
    {
        // A key this process cannot load (say, rotated under another KEK) is retried at most
        // every few seconds, so it does not turn every sign-in into a full reload. Any other new
        // kid is loaded at once: new tokens must carry it immediately.
        QMutexLocker lock(&m_mutex);
        if (current == m_failedKid && m_loaded.isValid() &&
            m_loaded.elapsed() < kForcedReloadIntervalMs)
            return true;
        m_loaded.start();
    }
    QString reloadError;
    const bool ok = reload(db, &reloadError);
    {
        QMutexLocker lock(&m_mutex);
        m_failedKid = ok ? QString() : current;
    }
    if (!ok)
        // Keep signing with the key we have: it stays published until its tokens expire.
        qCWarning(lcKeys).noquote() << "reloading signing keys failed:" << reloadError;
    return true;
}

} // namespace tenantry
