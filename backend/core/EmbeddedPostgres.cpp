// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/EmbeddedPostgres.h"

#include "core/SqlSupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tenantry {

Q_LOGGING_CATEGORY(lcEmbeddedDb, "tenantry.embedded-db")

namespace {

QString findBinDir() {
    const QString fromEnv = qEnvironmentVariable("TENANTRY_PG_BINDIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    // Debian keeps server binaries out of PATH; prefer the newest installed major version.
    QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(),
              [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &v : versions) {
        const QString bin = lib.filePath(v + QStringLiteral("/bin"));
        if (QFileInfo::exists(bin + QStringLiteral("/initdb")))
            return bin;
    }
    const QString initdb = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    return initdb.isEmpty() ? QString() : QFileInfo(initdb).canonicalPath();
}

} // namespace

EmbeddedPostgres::EmbeddedPostgres(QString dataDir)
    : m_dataDir(QDir(dataDir).absolutePath()) {}

EmbeddedPostgres::~EmbeddedPostgres() {
    release();
}

bool EmbeddedPostgres::resolveAccount(QString *error) {
    if (::geteuid() != 0)
        return true;
    const QByteArray name = qEnvironmentVariableIsSet("TENANTRY_PG_USER")
                                ? qgetenv("TENANTRY_PG_USER")
                                : QByteArray("postgres");
    const passwd *pw = ::getpwnam(name.constData());
    if (!pw || pw->pw_uid == 0) {
        *error = QStringLiteral("running as root, and PostgreSQL refuses to run as root: no system "
                                "account \"%1\" to run the embedded database as (install "
                                "postgresql, set TENANTRY_PG_USER, or pass --database-url)")
                     .arg(QString::fromLocal8Bit(name));
        return false;
    }
    m_switchUser = true;
    m_uid = pw->pw_uid;
    m_gid = pw->pw_gid;
    m_accountName = QString::fromLocal8Bit(name);
    return true;
}

bool EmbeddedPostgres::runTool(const QString &tool, const QStringList &args, QString *output,
                               int timeoutMs, QString *error) const {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setWorkingDirectory(QStringLiteral("/"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    env.remove(QStringLiteral("PGDATA"));
    if (m_switchUser) {
        const uid_t uid = m_uid;
        const gid_t gid = m_gid;
        env.insert(QStringLiteral("HOME"), QStringLiteral("/"));
        env.insert(QStringLiteral("USER"), m_accountName);
        // Runs in the child between fork and exec: drop to the database account for good.
        p.setChildProcessModifier([uid, gid] {
            if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
                ::_exit(126);
        });
    }
    p.setProcessEnvironment(env);
    const QString program = tool.startsWith(u'/') ? tool : m_binDir + u'/' + tool;
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        *error = QStringLiteral("cannot run %1: %2").arg(program, p.errorString());
        return false;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        *error = QStringLiteral("%1 did not finish in %2 s").arg(tool).arg(timeoutMs / 1000);
        return false;
    }
    const QString out = QString::fromLocal8Bit(p.readAll());
    if (output)
        *output = out;
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error = QStringLiteral("%1 failed (exit %2): %3")
                     .arg(QFileInfo(tool).fileName())
                     .arg(p.exitCode())
                     .arg(out.trimmed().right(600));
        return false;
    }
    return true;
}

bool EmbeddedPostgres::resolveLocation(QString *error) {
    if (!QDir().mkpath(m_dataDir)) {
        *error = QStringLiteral("cannot create data dir %1").arg(m_dataDir);
        return false;
    }
    QFile pointer(m_dataDir + QStringLiteral("/postgres.location"));
    if (pointer.open(QIODevice::ReadOnly)) {
        m_clusterDir = QString::fromUtf8(pointer.readAll()).trimmed();
    } else {
        m_clusterDir = m_dataDir + QStringLiteral("/postgres");
        if (m_switchUser) {
            // Can the database account walk down to the data dir? /root is 0700, for one.
            QString ignored;
            const bool reachable =
                runTool(QStringLiteral("/usr/bin/test"), {QStringLiteral("-x"), m_dataDir}, nullptr,
                        5000, &ignored);
            if (!reachable) {
                const QByteArray hash =
                    QCryptographicHash::hash(m_dataDir.toUtf8(), QCryptographicHash::Sha256)
                        .toHex()
                        .left(16);
                m_clusterDir =
                    QStringLiteral("/var/lib/tenantry/clusters/") + QString::fromLatin1(hash);
                qCInfo(lcEmbeddedDb).noquote() << "data dir is not reachable by" << m_accountName
                                               << "- keeping the cluster in" << m_clusterDir;
            }
        }
    }
    // The socket path must fit sun_path (108 bytes) including "/.s.PGSQL.5432".
    m_socketDir = m_clusterDir + QStringLiteral("/run");
    if (m_socketDir.toLocal8Bit().size() > 90) {
        const QByteArray hash =
            QCryptographicHash::hash(m_clusterDir.toUtf8(), QCryptographicHash::Sha256)
                .toHex()
                .left(16);
        m_socketDir = QStringLiteral("/tmp/tenantry-pg-") + QString::fromLatin1(hash);
    }
    return true;
}

bool EmbeddedPostgres::initCluster(QString *error) {
    if (QFileInfo::exists(m_clusterDir + QStringLiteral("/PG_VERSION")))
        return true;
    if (!QDir().mkpath(m_clusterDir)) {
        *error = QStringLiteral("cannot create %1").arg(m_clusterDir);
        return false;
    }
    const QByteArray dir = m_clusterDir.toLocal8Bit();
    ::chmod(dir.constData(), 0700);
    if (m_switchUser && ::chown(dir.constData(), m_uid, m_gid) != 0) {
        *error = QStringLiteral("cannot hand %1 to %2").arg(m_clusterDir, m_accountName);
        return false;
    }
    qCInfo(lcEmbeddedDb).noquote() << "creating PostgreSQL cluster in" << m_clusterDir;
    QString out;
    if (!runTool(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), m_clusterDir, QStringLiteral("-U"),
                  QString::fromLatin1(kSuperuser), QStringLiteral("--auth=trust"),
                  QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C.UTF-8"),
                  QStringLiteral("--no-instructions")},
                 &out, 120000, error))
        return false;
    // No TCP at all; the socket directory is private to the database account (and root).
    QFile conf(m_clusterDir + QStringLiteral("/postgresql.conf"));
    if (!conf.open(QIODevice::Append)) {
        *error = QStringLiteral("cannot write %1").arg(conf.fileName());
        return false;
    }
    conf.write("\n# Tenantry embedded defaults\n"
               "listen_addresses = ''\n"
               "unix_socket_permissions = 0700\n"
               "max_connections = 100\n"
               "shared_buffers = 64MB\n"
               "logging_collector = off\n"
               "idle_in_transaction_session_timeout = '60s'\n");
    conf.write("unix_socket_directories = '" + m_socketDir.toLocal8Bit() + "'\n");
    conf.close();
    if (m_switchUser)
        ::chown(conf.fileName().toLocal8Bit().constData(), m_uid, m_gid);
    // Only socket connections, and only by the database superuser name we chose.
    QFile hba(m_clusterDir + QStringLiteral("/pg_hba.conf"));
    if (!hba.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1").arg(hba.fileName());
        return false;
    }
    hba.write("# Tenantry embedded cluster: Unix socket only, in a 0700 directory.\n"
              "local all all trust\n");
    hba.close();
    if (m_switchUser)
        ::chown(hba.fileName().toLocal8Bit().constData(), m_uid, m_gid);
    if (m_clusterDir != m_dataDir + QStringLiteral("/postgres")) {
        QFile pointer(m_dataDir + QStringLiteral("/postgres.location"));
        if (pointer.open(QIODevice::WriteOnly | QIODevice::Truncate))
            pointer.write(m_clusterDir.toUtf8() + '\n');
    }
    return true;
}

bool EmbeddedPostgres::isRunning() const {
    QString ignored;
    return runTool(QStringLiteral("pg_ctl"),
                   {QStringLiteral("status"), QStringLiteral("-D"), m_clusterDir}, nullptr, 10000,
                   &ignored);
}

bool EmbeddedPostgres::start(QString *error) {
    if (m_active)
        return true;
    m_binDir = findBinDir();
    if (m_binDir.isEmpty()) {
        *error = QStringLiteral("PostgreSQL server binaries (initdb, pg_ctl) not found: install "
                                "postgresql-15, set TENANTRY_PG_BINDIR, or pass --database-url");
        return false;
    }
    if (!resolveAccount(error) || !resolveLocation(error) || !initCluster(error))
        return false;

    const QByteArray sock = m_socketDir.toLocal8Bit();
    QDir().mkpath(m_socketDir);
    ::chmod(sock.constData(), 0700);
    if (m_switchUser)
        ::chown(sock.constData(), m_uid, m_gid);

    if (isRunning()) {
        qCInfo(lcEmbeddedDb).noquote() << "reusing the running cluster in" << m_clusterDir;
    } else {
        QString out;
        QString startError;
        const QString logFile = m_clusterDir + QStringLiteral("/postgres.log");
        if (runTool(QStringLiteral("pg_ctl"),
                    {QStringLiteral("start"), QStringLiteral("-D"), m_clusterDir,
                     QStringLiteral("-w"), QStringLiteral("-t"), QStringLiteral("60"),
                     QStringLiteral("-l"), logFile, QStringLiteral("-s")},
                    &out, 90000, &startError)) {
            m_startedByUs = true;
            qCInfo(lcEmbeddedDb).noquote() << "started PostgreSQL in" << m_clusterDir;
        } else if (isRunning()) {
            // Another tenantry process won the race to start it; share it.
            qCInfo(lcEmbeddedDb).noquote() << "reusing the cluster another process just started";
        } else {
            QFile log(logFile);
            QString tail;
            if (log.open(QIODevice::ReadOnly))
                tail = QString::fromUtf8(log.readAll()).right(800).trimmed();
            *error = QStringLiteral("cannot start the embedded PostgreSQL in %1: %2%3")
                         .arg(m_clusterDir, startError,
                              tail.isEmpty() ? QString() : QStringLiteral("\n") + tail);
            return false;
        }
    }
    m_active = true;
    return ensureDatabase(error);
}

ConnectionSettings EmbeddedPostgres::adminSettings() const {
    ConnectionSettings s;
    s.host = m_socketDir;
    s.port = kPort;
    s.user = QString::fromLatin1(kSuperuser);
    s.database = QString::fromLatin1(kDatabase);
    return s;
}

bool EmbeddedPostgres::ensureDatabase(QString *error) {
    const QString name =
        QStringLiteral("tenantry-embedded-bootstrap-") + QUuid::createUuid().toString(QUuid::Id128);
    bool ok = true;
    {
        ConnectionSettings s = adminSettings().withDatabase(QStringLiteral("postgres"));
        QString openError;
        QSqlDatabase db = s.open(name, &openError);
        if (!db.isOpen()) {
            *error = QStringLiteral("cannot connect to the embedded PostgreSQL: %1").arg(openError);
            ok = false;
        } else {
            QSqlQuery q(db);
            QString e;
            if (!sql::exec(q, QStringLiteral("SELECT 1 FROM pg_database WHERE datname = ?"),
                           {QString::fromLatin1(kDatabase)}, &e)) {
                *error = e;
                ok = false;
            } else if (!q.next()) {
                ok = sql::exec(db,
                               QStringLiteral("CREATE DATABASE ") +
                                   sql::quoteIdent(QString::fromLatin1(kDatabase)),
                               &e);
                // A concurrent creator is fine.
                if (!ok && e.contains(QStringLiteral("already exists")))
                    ok = true;
                if (!ok)
                    *error = e;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

int EmbeddedPostgres::otherClients() const {
    const QString name =
        QStringLiteral("tenantry-embedded-probe-") + QUuid::createUuid().toString(QUuid::Id128);
    int count = -1;
    {
        QString e;
        QSqlDatabase db = adminSettings().withDatabase(QStringLiteral("postgres")).open(name, &e);
        if (db.isOpen()) {
            QSqlQuery q(db);
            // Client backends other than this probe; our own pooled connections are closed by
            // the time release() runs.
            if (q.exec(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                                      "'client backend' AND pid <> pg_backend_pid()")) &&
                q.next())
                count = q.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return count;
}

void EmbeddedPostgres::release() {
    if (!m_active)
        return;
    m_active = false;
    const int others = otherClients();
    if (others > 0) {
        qCInfo(lcEmbeddedDb) << "leaving PostgreSQL running:" << others
                             << "other client connection(s)";
        return;
    }
    QString error;
    if (!runTool(QStringLiteral("pg_ctl"),
                 {QStringLiteral("stop"), QStringLiteral("-D"), m_clusterDir, QStringLiteral("-m"),
                  QStringLiteral("fast"), QStringLiteral("-w"), QStringLiteral("-t"),
                  QStringLiteral("60"), QStringLiteral("-s")},
                 nullptr, 90000, &error))
        qCWarning(lcEmbeddedDb).noquote() << "stopping PostgreSQL:" << error;
    else
        qCInfo(lcEmbeddedDb).noquote() << "stopped PostgreSQL in" << m_clusterDir;
}

} // namespace tenantry
