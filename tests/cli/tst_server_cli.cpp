// SPDX-License-Identifier: GPL-3.0-or-later
// tenantry-server as a user runs it: the real binary, real PostgreSQL (the suite's cluster and
// an embedded one), real signals, real sockets.
#include "core/ConnectionSettings.h"
#include "harness/TestDatabase.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace tenantry;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

QString serverBinary() {
    return qEnvironmentVariable("TENANTRY_SERVER_BINARY");
}

Run runServer(const QStringList &args, int timeoutMs = 60000) {
    QProcess p;
    p.start(serverBinary(), args);
    Run r;
    if (!p.waitForStarted(5000))
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray httpGet(quint16 port, const QByteArray &path) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(3000))
        return {};
    s.write("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    QByteArray all;
    while (s.waitForReadyRead(3000))
        all += s.readAll();
    return all + s.readAll();
}

QByteArray httpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                       const QByteArray &headers = {}, const QByteArray &body = {}) {
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(3000))
        return {};
    s.write(method + ' ' + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + headers +
            "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray all;
    while (s.waitForReadyRead(5000))
        all += s.readAll();
    return all + s.readAll();
}

QJsonObject jsonBody(const QByteArray &response) {
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

int statusOf(const QByteArray &response) {
    return response.mid(9, 3).toInt();
}

// A running `serve` process whose listening URL was read from its stdout.
class Server {
public:
    explicit Server(const QStringList &args) {
        // Logs go to a file: a pipe nobody drains would fill up and block the server's writes.
        m_log.open();
        m_p.setStandardErrorFile(m_log.fileName());
        m_p.start(serverBinary(),
                  QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                              QStringLiteral("127.0.0.1:0"), QStringLiteral("--workers"),
                              QStringLiteral("2"), QStringLiteral("--log-format"),
                              QStringLiteral("json")} +
                      args);
        static const QRegularExpression re(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)"));
        QByteArray out;
        for (int i = 0; i < 600 && m_p.state() != QProcess::NotRunning; ++i) {
            m_p.waitForReadyRead(100);
            out += m_p.readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(out));
            if (m.hasMatch()) {
                m_port = quint16(m.captured(1).toUInt());
                break;
            }
        }
    }
    ~Server() {
        if (m_p.state() != QProcess::NotRunning) {
            m_p.kill();
            m_p.waitForFinished();
        }
    }
    quint16 port() const { return m_port; }
    // SIGTERM, then the exit code (or -1 when it did not exit in time).
    int terminate(int timeoutMs = 20000) {
        ::kill(pid_t(m_p.processId()), SIGTERM);
        if (!m_p.waitForFinished(timeoutMs))
            return -1;
        return m_p.exitStatus() == QProcess::NormalExit ? m_p.exitCode() : -1;
    }
    QByteArray stderrText() {
        QFile f(m_log.fileName());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private:
    QTemporaryFile m_log;
    QProcess m_p;
    quint16 m_port = 0;
};

} // namespace

class TestServerCli : public QObject {
    Q_OBJECT
    test::TestDatabase m_db;
    QTemporaryDir m_data; // one data dir (and so one key-encryption key) per database

    QStringList db() const {
        return {QStringLiteral("--database-url"), m_db.adminUrl(), QStringLiteral("--data-dir"),
                m_data.path()};
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_db.ok(), qPrintable(m_db.error()));
        QVERIFY2(QFileInfo::exists(serverBinary()), qPrintable(serverBinary()));
    }

    void badUsageExitsTwoWithOneLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
        QTest::newRow("tenant alone")
            << QStringList{QStringLiteral("tenant")} << QStringLiteral("subcommand");
        QTest::newRow("no name") << QStringList{QStringLiteral("tenant"), QStringLiteral("create")}
                                 << QStringLiteral("--name");
        QTest::newRow("bad slug") << QStringList{QStringLiteral("tenant"),
                                                 QStringLiteral("create"),
                                                 QStringLiteral("--name"),
                                                 QStringLiteral("X"),
                                                 QStringLiteral("--slug"),
                                                 QStringLiteral("t1; DROP SCHEMA x")}
                                  << QStringLiteral("slug");
        QTest::newRow("bad tier") << QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                                                 QStringLiteral("--name"), QStringLiteral("X"),
                                                 QStringLiteral("--tier"), QStringLiteral("gold")}
                                  << QStringLiteral("tier");
        QTest::newRow("option of another command")
            << QStringList{QStringLiteral("migrate"), QStringLiteral("--name"), QStringLiteral("x")}
            << QStringLiteral("--name");
        QTest::newRow("bad listen")
            << QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                           QStringLiteral("nowhere")}
            << QStringLiteral("--listen");
        QTest::newRow("bad workers")
            << QStringList{QStringLiteral("serve"), QStringLiteral("--workers"),
                           QStringLiteral("0")}
            << QStringLiteral("--workers");
        QTest::newRow("bad log format")
            << QStringList{QStringLiteral("migrate"), QStringLiteral("--log-format"),
                           QStringLiteral("xml")}
            << QStringLiteral("log-format");
        QTest::newRow("unknown option")
            << QStringList{QStringLiteral("--bogus")} << QStringLiteral("bogus");
    }
    void badUsageExitsTwoWithOneLine() {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = runServer(args + db());
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(mentions), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void migrateIsIdempotentWithProgress() {
        Run r = runServer(QStringList{QStringLiteral("migrate")} + db());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("control: applying 0001_init"));
        r = runServer(QStringList{QStringLiteral("migrate")} + db());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("control: up to date"));
        QVERIFY(!r.out.contains("applying"));
    }

    void tenantCreateAndList() {
        const QStringList create{
            QStringLiteral("tenant"),           QStringLiteral("create"),
            QStringLiteral("--name"),           QStringLiteral("Zeta Labs"),
            QStringLiteral("--tier"),           QStringLiteral("enterprise"),
            QStringLiteral("--region"),         QStringLiteral("eu-west-1"),
            QStringLiteral("--owner-email"),    QStringLiteral("root@zeta.example"),
            QStringLiteral("--owner-password"), QStringLiteral("correct horse battery")};
        Run r = runServer(create + db());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject t = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(t.value(QStringLiteral("slug")).toString(), QStringLiteral("zeta-labs"));
        QCOMPARE(t.value(QStringLiteral("created")).toBool(), true);
        QVERIFY(t.value(QStringLiteral("schema")).toString().startsWith(u"tenant_"));
        QVERIFY(!t.value(QStringLiteral("owner_user_id")).toString().isEmpty());
        const QString id = t.value(QStringLiteral("id")).toString();

        r = runServer(create + db());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject again = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(again.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(again.value(QStringLiteral("created")).toBool(), false);

        r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("list"),
                                  QStringLiteral("--json")} +
                      db());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray list = QJsonDocument::fromJson(r.out).array();
        QVERIFY(std::any_of(list.begin(), list.end(), [&](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("id")).toString() == id;
        }));
        r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("list")} + db());
        QVERIFY(r.out.contains("zeta-labs") && r.out.contains("SLUG"));
    }

    void serveLogsRequestsAndDrainsOnSigterm() {
        Server s(db());
        QVERIFY(s.port() > 0);
        const QByteArray health = httpGet(s.port(), "/healthz");
        QVERIFY2(health.startsWith("HTTP/1.1 200"), health.constData());
        const QByteArray ready = httpGet(s.port(), "/readyz");
        QVERIFY2(ready.startsWith("HTTP/1.1 200") && ready.contains("\"status\":\"ready\""),
                 ready.constData());
        QCOMPARE(s.terminate(), 0);
        // Structured request lines: one JSON object per line with the documented fields.
        bool found = false;
        const QByteArrayList lines = s.stderrText().split('\n');
        for (const QByteArray &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("category")).toString() != u"tenantry.http.request")
                continue;
            if (o.value(QStringLiteral("route")).toString() != u"/readyz")
                continue;
            found = true;
            QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
            QCOMPARE(o.value(QStringLiteral("status")).toInt(), 200);
            QCOMPARE(o.value(QStringLiteral("trace_id")).toString().size(), 32);
            QVERIFY(o.contains(QStringLiteral("duration_ms")));
            QVERIFY(o.contains(QStringLiteral("ts")));
        }
        QVERIFY2(found, s.stderrText().constData());
    }

    void secondServerOnTheSamePortFails() {
        Server first(db());
        QVERIFY(first.port() > 0);
        const Run r = runServer(QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                            QStringLiteral("127.0.0.1:%1").arg(first.port())} +
                                    db(),
                                30000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot listen"), r.err.constData());
        QCOMPARE(first.terminate(), 0);
    }

    void refusesAPrivilegedRuntimeRole() {
        const Run r =
            runServer(QStringList{QStringLiteral("migrate"),
                                  QStringLiteral("--runtime-database-url"), m_db.adminUrl()} +
                      db());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("superuser"), r.err.constData());
    }

    void databaseUrlFromTheEnvironment() {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TENANTRY_DATABASE_URL"), m_db.adminUrl());
        p.setProcessEnvironment(env);
        p.start(serverBinary(),
                {QStringLiteral("tenant"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(QJsonDocument::fromJson(p.readAllStandardOutput()).isArray());
    }

    void tenantUpdateLocksAndLimitsAtRuntime() {
        const QStringList dd = db();
        Run r =
            runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                                  QStringLiteral("--name"), QStringLiteral("Lockable"),
                                  QStringLiteral("--owner-email"), QStringLiteral("o@lock.example"),
                                  QStringLiteral("--owner-password"),
                                  QStringLiteral("correct horse battery")} +
                      dd);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString tid =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("id")).toString();
        Server s(dd);
        QVERIFY2(s.port() > 0, s.stderrText().constData());
        const QByteArray tokenResponse =
            httpRequest(s.port(), "POST", "/v1/auth/token",
                        "Content-Type: application/x-www-form-urlencoded\r\n",
                        "grant_type=password&tenant=lockable&username=o%40lock.example&password="
                        "correct+horse+battery");
        QCOMPARE(statusOf(tokenResponse), 200);
        const QByteArray auth =
            "Authorization: Bearer " +
            jsonBody(tokenResponse).value(QStringLiteral("access_token")).toString().toLatin1() +
            "\r\n";
        const QByteArray path = "/v1/" + tid.toLatin1() + "/projects";
        QCOMPARE(statusOf(httpRequest(s.port(), "GET", path, auth)), 200);

        // Rate limit lowered while the server runs: applies within the tenant cache time.
        r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("update"),
                                  QStringLiteral("--tenant"), QStringLiteral("lockable"),
                                  QStringLiteral("--rate-limit-rps"), QStringLiteral("1"),
                                  QStringLiteral("--rate-limit-burst"), QStringLiteral("2")} +
                      dd);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out)
                     .object()
                     .value(QStringLiteral("rate_limit_burst"))
                     .toInt(),
                 2);
        QTest::qWait(5500);
        int limited = 0;
        QByteArray last;
        for (int i = 0; i < 6; ++i) {
            last = httpRequest(s.port(), "GET", path, auth);
            if (statusOf(last) == 429)
                ++limited;
        }
        QVERIFY2(limited >= 3, last.constData());
        QVERIFY(last.contains("Retry-After: "));
        QVERIFY(last.contains("RateLimit-Policy: "));

        // Locked: tenant routes answer 423 tenant_locked.
        r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("update"),
                                  QStringLiteral("--tenant"), tid, QStringLiteral("--status"),
                                  QStringLiteral("locked"), QStringLiteral("--rate-limit-rps"),
                                  QStringLiteral("0"), QStringLiteral("--rate-limit-burst"),
                                  QStringLiteral("0")} +
                      dd);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QTest::qWait(5500);
        const QByteArray locked = httpRequest(s.port(), "GET", path, auth);
        QCOMPARE(statusOf(locked), 423);
        QCOMPARE(jsonBody(locked).value(QStringLiteral("code")).toString(),
                 QStringLiteral("tenant_locked"));
        QCOMPARE(runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("update"),
                                       QStringLiteral("--tenant"), QStringLiteral("lockable"),
                                       QStringLiteral("--status"), QStringLiteral("frozen")} +
                           dd)
                     .exitCode,
                 2);
        QCOMPARE(runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("update"),
                                       QStringLiteral("--tenant"), QStringLiteral("no-such-tenant"),
                                       QStringLiteral("--status"), QStringLiteral("active")} +
                           dd)
                     .exitCode,
                 1);
        QCOMPARE(s.terminate(), 0);
    }

    void recoversFromADatabaseRestart() {
        QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/tenantry-rst-XXXXXX"));
        ::chmod(tmp.path().toLocal8Bit().constData(), 0755);
        const QStringList dd{QStringLiteral("--data-dir"), tmp.path() + QStringLiteral("/data")};
        Server s(dd);
        QVERIFY(s.port() > 0);
        QVERIFY(httpGet(s.port(), "/readyz").startsWith("HTTP/1.1 200"));
        const QString cluster = tmp.path() + QStringLiteral("/data/postgres");
        auto pgCtl = [&](const QStringList &args) {
            QProcess p;
            QStringList full = args;
            full.prepend(QStringLiteral("/usr/lib/postgresql/15/bin/pg_ctl"));
            if (::geteuid() == 0)
                p.start(QStringLiteral("runuser"),
                        QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                                    QStringLiteral("--")} +
                            full);
            else
                p.start(full.takeFirst(), full);
            p.waitForFinished(60000);
            return p.exitCode();
        };
        QCOMPARE(pgCtl({QStringLiteral("stop"), QStringLiteral("-D"), cluster, QStringLiteral("-m"),
                        QStringLiteral("fast"), QStringLiteral("-w")}),
                 0);
        const QByteArray down = httpGet(s.port(), "/readyz");
        QVERIFY2(down.startsWith("HTTP/1.1 503"), down.constData());
        QVERIFY(down.contains("Retry-After: "));
        QCOMPARE(
            pgCtl({QStringLiteral("start"), QStringLiteral("-D"), cluster, QStringLiteral("-w"),
                   QStringLiteral("-l"), cluster + QStringLiteral("/postgres.log")}),
            0);
        // Reconnects by itself, with capped backoff (5 s), on both workers.
        auto recovered = [&] {
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < 30000) {
                if (httpGet(s.port(), "/readyz").startsWith("HTTP/1.1 200"))
                    return true;
                QTest::qWait(200);
            }
            return false;
        };
        for (int i = 0; i < 7; ++i)
            QVERIFY2(recovered(), s.stderrText().right(3000).constData());
        QCOMPARE(s.terminate(), 0);
    }

    void embeddedClusterIsCreatedSharedAndStopped() {
        QTemporaryDir tmp(QDir::tempPath() + QStringLiteral("/tenantry-emb-XXXXXX"));
        QVERIFY(tmp.isValid());
        ::chmod(tmp.path().toLocal8Bit().constData(), 0755); // reachable by the database account
        const QString data = tmp.path() + QStringLiteral("/data");
        const QStringList dd{QStringLiteral("--data-dir"), data};
        Run r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                                      QStringLiteral("--name"), QStringLiteral("Demo")} +
                              dd,
                          120000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("slug")).toString(),
                 QStringLiteral("demo"));
        const QString cluster = data + QStringLiteral("/postgres");
        QVERIFY(QFileInfo::exists(cluster + QStringLiteral("/PG_VERSION")));
        if (::geteuid() == 0) {
            // PostgreSQL refuses root: the cluster belongs to the database account instead.
            struct stat st {};
            QCOMPARE(::stat(cluster.toLocal8Bit().constData(), &st), 0);
            QVERIFY(st.st_uid != 0);
        }
        // No TCP listener, socket only, and the cluster was stopped when the command finished.
        QVERIFY(!QFileInfo::exists(cluster + QStringLiteral("/postmaster.pid")));

        Server s(dd);
        QVERIFY(s.port() > 0);
        QVERIFY(QFileInfo::exists(cluster + QStringLiteral("/postmaster.pid")));
        // A second process on the same data dir reuses the running cluster ...
        r = runServer(QStringList{QStringLiteral("tenant"), QStringLiteral("list"),
                                  QStringLiteral("--json"), QStringLiteral("--log-format"),
                                  QStringLiteral("text")} +
                      dd);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.contains("reusing"));
        QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 1);
        // ... and leaves it running for the server.
        QVERIFY(httpGet(s.port(), "/readyz").startsWith("HTTP/1.1 200"));
        // The last one out stops it.
        QCOMPARE(s.terminate(), 0);
        QVERIFY(!QFileInfo::exists(cluster + QStringLiteral("/postmaster.pid")));
    }
};

QTEST_GUILESS_MAIN(TestServerCli)
#include "tst_server_cli.moc"
