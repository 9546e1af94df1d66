// SPDX-License-Identifier: GPL-3.0-or-later
// The per-connection prepared-statement cache: reuse, a bound on how many statements the server
// keeps for one connection, and a clean slate after the connection is closed.
#include "core/ThreadDatabase.h"
#include "harness/TestDatabase.h"

#include <QSqlQuery>
#include <QTest>

using namespace tenantry;

class TestThreadDatabase : public QObject {
    Q_OBJECT
    test::TestDatabase m_db;

    static int serverSidePrepared(QSqlDatabase &db) {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT count(*) FROM pg_prepared_statements")) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

private Q_SLOTS:
    void cacheReusesAndStaysBounded() {
        QVERIFY2(m_db.ok(), qPrintable(m_db.error()));
        ThreadDatabase tdb(m_db.admin(), QStringLiteral("tdb-test"));
        int retry = 0;
        QSqlDatabase *db = tdb.acquire(&retry);
        QVERIFY(db);
        QSqlQuery *first = tdb.prepared(QStringLiteral("SELECT 1"), nullptr);
        QVERIFY(first);
        QCOMPARE(tdb.prepared(QStringLiteral("SELECT 1"), nullptr),
                 first); // reused, not re-prepared
        QVERIFY(first->exec() && first->next());
        QCOMPARE(first->value(0).toInt(), 1);

        const int extra = int(ThreadDatabase::kMaxStatements) + 50;
        for (int i = 0; i < extra; ++i)
            QVERIFY(tdb.prepared(QStringLiteral("SELECT %1").arg(i + 2), nullptr));
        // The least recently used were deallocated on the server too.
        const int kept = serverSidePrepared(*db);
        QVERIFY2(kept <= int(ThreadDatabase::kMaxStatements) + 1,
                 qPrintable(QString::number(kept)));
        QVERIFY(kept >= int(ThreadDatabase::kMaxStatements) - 1);
        // A recently used statement survives eviction; "SELECT 1" (the oldest) was evicted and
        // comes back prepared anew and working.
        QSqlQuery *again = tdb.prepared(QStringLiteral("SELECT 1"), nullptr);
        QVERIFY(again && again->exec() && again->next());

        // Bad SQL is reported, not cached.
        QString error;
        QVERIFY(!tdb.prepared(QStringLiteral("SELEC nonsense"), &error));
        QVERIFY(error.contains(u"syntax"));
        tdb.close();
        db = tdb.acquire(&retry);
        QVERIFY(db);
        QCOMPARE(serverSidePrepared(*db), 0); // a new session starts with an empty cache
        QVERIFY(tdb.prepared(QStringLiteral("SELECT 2"), nullptr));
    }
};

QTEST_GUILESS_MAIN(TestThreadDatabase)
#include "tst_thread_database.moc"
