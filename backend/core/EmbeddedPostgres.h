// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/ConnectionSettings.h"

#include <QLoggingCategory>
#include <QString>

namespace tenantry {

Q_DECLARE_LOGGING_CATEGORY(lcEmbeddedDb)

// A private PostgreSQL cluster under the data dir: what a person trying Tenantry on a laptop gets
// without configuring anything. initdb + pg_ctl from the system's PostgreSQL; no TCP listener,
// only a Unix socket in a directory nobody else can enter.
//
// PostgreSQL refuses to run as root. When we are root the cluster runs as a dedicated system
// account (TENANTRY_PG_USER, default "postgres", which Debian's postgresql package creates); the
// data directory is then owned by that account. When the data dir is not reachable by that
// account (e.g. under /root), the cluster lives in /var/lib/tenantry/clusters/<hash> instead
// and a pointer file in the data dir says where.
//
// Several tenantry processes may share one cluster: whoever finds it stopped starts it, and
// the last one to leave stops it (see release()).
class EmbeddedPostgres {
public:
    explicit EmbeddedPostgres(QString dataDir);
    ~EmbeddedPostgres();
    EmbeddedPostgres(const EmbeddedPostgres &) = delete;
    EmbeddedPostgres &operator=(const EmbeddedPostgres &) = delete;

    // Creates the cluster on first use and starts it unless it already runs. Returns false with
    // a message a person can act on.
    bool start(QString *error);
    // Stops the cluster unless another process still uses it. Idempotent.
    void release();

    // Superuser connection to the "tenantry" database over the private socket.
    ConnectionSettings adminSettings() const;
    QString clusterDir() const { return m_clusterDir; }
    QString socketDir() const { return m_socketDir; }
    bool startedByUs() const { return m_startedByUs; }

    static constexpr const char *kDatabase = "tenantry";
    static constexpr const char *kSuperuser = "tenantry";
    static constexpr int kPort = 5432; // only names the socket file; there is no TCP listener

private:
    bool resolveAccount(QString *error);
    bool resolveLocation(QString *error);
    bool initCluster(QString *error);
    bool isRunning() const;
    bool runTool(const QString &tool, const QStringList &args, QString *output, int timeoutMs,
                 QString *error) const;
    bool ensureDatabase(QString *error);
    int otherClients() const;

    QString m_dataDir;
    QString m_clusterDir;
    QString m_socketDir;
    QString m_binDir;
    bool m_switchUser = false;
    unsigned m_uid = 0;
    unsigned m_gid = 0;
    QString m_accountName;
    bool m_startedByUs = false;
    bool m_active = false;
};

} // namespace tenantry
