// SPDX-License-Identifier: GPL-3.0-or-later
// What the runtime role can and cannot do: row-level security on shared tables, privileges,
// and a catalog check of the isolation promises. Real PostgreSQL, real roles.
#include "core/DatabaseBootstrap.h"
#include "core/SqlSupport.h"
#include "core/TenantProvisioner.h"
#include "harness/TestDatabase.h"

#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace tenantry;

class TestIsolation : public QObject {
    Q_OBJECT
    test::TestDatabase m_testDb;
    DatabaseBootstrap m_boot;
    Tenant m_t1;
    Tenant m_t2;
    QSqlDatabase m_app; // runtime role

    int adminScalar(const QString &statement) {
        QSqlQuery q(m_boot.admin());
        if (!q.exec(statement) || !q.next())
            qFatal("query failed: %s", qPrintable(q.lastError().text()));
        return q.value(0).toInt();
    }

    QString id(const Tenant &t) const { return t.id.toString(QUuid::WithoutBraces); }

    // One "request": a transaction whose tenant context is set with set_config(..., true).
    bool asTenant(const Tenant &t, const std::function<bool(QSqlQuery &)> &work) {
        if (!m_app.transaction())
            return false;
        QSqlQuery q(m_app);
        if (!sql::exec(q, QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                       {id(t)}, nullptr)) {
            m_app.rollback();
            return false;
        }
        const bool ok = work(q);
        if (ok)
            m_app.commit();
        else
            m_app.rollback();
        return ok;
    }

    bool insertEvent(QSqlQuery &q, const Tenant &owner, qint64 seq, QString *error = nullptr) {
        return sql::exec(q,
                         QStringLiteral("INSERT INTO tenantry_shared.events (tenant_id, seq, id, "
                                        "action, data) VALUES (?::uuid, ?, ?::uuid, 'canary', "
                                        "'{}'::jsonb)"),
                         {id(owner), seq, QUuid::createUuid().toString(QUuid::WithoutBraces)},
                         error);
    }

    int countEvents(QSqlQuery &q) {
        if (!q.exec(QStringLiteral("SELECT count(*) FROM tenantry_shared.events")) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_testDb.ok(), qPrintable(m_testDb.error()));
        DatabaseBootstrap::Options o;
        o.databaseUrl = m_testDb.adminUrl();
        QString error;
        QVERIFY2(m_boot.prepare(o, &error), qPrintable(error));
        for (auto [name, target] : {std::pair{QStringLiteral("Tenant One"), &m_t1},
                                    std::pair{QStringLiteral("Tenant Two"), &m_t2}}) {
            TenantSpec spec;
            spec.name = name;
            QVERIFY(!spec.normalise());
            TenantProvisioner p(m_boot.admin(), m_boot.roles());
            const auto r = p.create(spec, &error);
            QVERIFY2(r, qPrintable(error));
            *target = r->tenant;
        }
        m_app = m_boot.runtimeSettings().open(QStringLiteral("runtime"), &error);
        QVERIFY2(m_app.isOpen(), qPrintable(error));
        // Canary rows for both tenants, written through RLS by the runtime role itself.
        QVERIFY(asTenant(m_t1, [&](QSqlQuery &q) {
            return insertEvent(q, m_t1, 1) && insertEvent(q, m_t1, 2);
        }));
        QVERIFY(asTenant(m_t2, [&](QSqlQuery &q) { return insertEvent(q, m_t2, 1); }));
    }

    void catalogForcesRlsOnEverySharedTable() {
        QCOMPARE(
            adminScalar(QStringLiteral(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'tenantry_shared' AND c.relkind IN ('r','p') AND NOT "
                "(c.relrowsecurity AND c.relforcerowsecurity)")),
            0);
        QCOMPARE(
            adminScalar(QStringLiteral(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'tenantry_shared' AND c.relkind IN ('r','p') AND NOT EXISTS "
                "(SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)")),
            0);
        // Every shared table leads its primary key with tenant_id, which is NOT NULL.
        QCOMPARE(
            adminScalar(QStringLiteral(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'tenantry_shared' AND c.relkind = 'r' AND NOT EXISTS ("
                "SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = c.oid AND "
                "a.attnum = i.indkey[0] WHERE i.indrelid = c.oid AND i.indisprimary AND "
                "a.attname = 'tenant_id' AND a.attnotnull)")),
            0);
        QVERIFY(
            adminScalar(QStringLiteral("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                                       "n.oid = c.relnamespace WHERE n.nspname = 'tenantry_shared' "
                                       "AND c.relkind = 'r'")) >= 2);
    }

    void runtimeRoleOwnsNothingAndCannotBypass() {
        QString error;
        QSqlDatabase admin = m_boot.admin();
        const QStringList problems =
            DatabaseRoles::runtimeRoleProblems(admin, m_boot.roles().runtime, &error);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n') + error));
        QCOMPARE(
            adminScalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1' AND "
                                       "(rolsuper OR rolbypassrls OR rolcreaterole OR "
                                       "rolcreatedb)")
                            .arg(m_boot.roles().runtime)),
            0);
        // No role but the owner may create objects in our schemas.
        QCOMPARE(
            adminScalar(
                QStringLiteral(
                    "SELECT count(*) FROM pg_namespace n CROSS JOIN pg_roles r WHERE "
                    "(n.nspname LIKE 'tenant\\_%' OR n.nspname IN "
                    "('tenantry_shared','tenantry_control')) "
                    "AND NOT r.rolsuper AND r.rolname <> '%1' AND r.rolname NOT LIKE 'pg\\_%' AND "
                    "has_schema_privilege(r.oid, n.oid, 'CREATE')")
                    .arg(m_boot.roles().owner)),
            0);
        // And the check does catch a bad role: a superuser is refused.
        const QStringList superProblems =
            DatabaseRoles::runtimeRoleProblems(admin, QStringLiteral("tenantry"), &error);
        QVERIFY(superProblems.join(u' ').contains(u"superuser"));
        const QStringList ownerProblems =
            DatabaseRoles::runtimeRoleProblems(admin, m_boot.roles().owner, &error);
        QVERIFY(ownerProblems.join(u' ').contains(u"owns"));
    }

    void tenantSeesOnlyItsOwnRows() {
        int seen1 = -1;
        int seen2 = -1;
        QVERIFY(asTenant(m_t1, [&](QSqlQuery &q) { return (seen1 = countEvents(q)) >= 0; }));
        QVERIFY(asTenant(m_t2, [&](QSqlQuery &q) { return (seen2 = countEvents(q)) >= 0; }));
        QCOMPARE(seen1, 2);
        QCOMPARE(seen2, 1);
        // Even asking for the other tenant's rows by id returns nothing.
        int leaked = -1;
        QVERIFY(asTenant(m_t2, [&](QSqlQuery &q) {
            if (!sql::exec(
                    q,
                    QStringLiteral(
                        "SELECT count(*) FROM tenantry_shared.events WHERE tenant_id = ?::uuid"),
                    {id(m_t1)}, nullptr) ||
                !q.next())
                return false;
            leaked = q.value(0).toInt();
            return true;
        }));
        QCOMPARE(leaked, 0);
    }

    void cannotWriteIntoAnotherTenant() {
        QString error;
        QVERIFY(!asTenant(m_t2, [&](QSqlQuery &q) { return insertEvent(q, m_t1, 99, &error); }));
        QVERIFY2(error.contains(u"row-level security"), qPrintable(error));
    }

    void cannotUpdateOrDeleteEvents() {
        for (const QString &statement :
             {QStringLiteral("UPDATE tenantry_shared.events SET action = 'x'"),
              QStringLiteral("DELETE FROM tenantry_shared.events"),
              QStringLiteral("TRUNCATE tenantry_shared.events")}) {
            QString error;
            QVERIFY(!asTenant(m_t1, [&](QSqlQuery &q) {
                const bool ok = q.exec(statement);
                error = q.lastError().databaseText();
                return ok;
            }));
            QVERIFY2(error.contains(u"permission denied"), qPrintable(statement + u": " + error));
        }
        QCOMPARE(adminScalar(QStringLiteral("SELECT count(*) FROM tenantry_shared.events WHERE "
                                            "action = 'canary'")),
                 3); // the superuser bypasses RLS: all canaries are still there, unchanged
    }

    void noContextMeansNoRows() {
        // Outside a transaction, without set_config: fails closed.
        QSqlQuery q(m_app);
        QCOMPARE(countEvents(q), 0);
        QString error;
        QVERIFY(!insertEvent(q, m_t1, 100, &error));
        QVERIFY2(error.contains(u"row-level security"), qPrintable(error));
    }

    void contextDoesNotSurviveTheTransaction() {
        // Request A sets t1 and commits; request B on the same connection sets nothing.
        QVERIFY(asTenant(m_t1, [&](QSqlQuery &q) { return countEvents(q) == 2; }));
        QSqlQuery q(m_app);
        QVERIFY(q.exec(QStringLiteral("SELECT current_setting('app.current_tenant', true)")) &&
                q.next());
        QCOMPARE(q.value(0).toString(), QString()); // '' after the transaction, not t1
        QCOMPARE(countEvents(q), 0);
        // A failed request rolls its context back too.
        m_app.transaction();
        QSqlQuery inTx(m_app);
        QVERIFY(sql::exec(inTx, QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                          {id(m_t1)}, nullptr));
        m_app.rollback();
        QCOMPARE(countEvents(q), 0);
    }

    void injectionInTheContextIsJustAString() {
        QString error;
        m_app.transaction();
        QSqlQuery q(m_app);
        const bool ok =
            sql::exec(q, QStringLiteral("SELECT set_config('app.current_tenant', ?, true)"),
                      {QStringLiteral("' OR 1=1 --")}, &error);
        QVERIFY(ok);
        // The policy casts the context to uuid: garbage fails the query instead of widening it.
        QVERIFY(!q.exec(QStringLiteral("SELECT count(*) FROM tenantry_shared.events")));
        m_app.rollback();
    }

    void runtimeCannotReadSecretsOrCreateObjects() {
        QSqlQuery q(m_app);
        QVERIFY(!q.exec(QStringLiteral("SELECT * FROM tenantry_control.runtime_credentials")));
        QVERIFY(q.lastError().databaseText().contains(u"permission denied"));
        QVERIFY(!q.exec(QStringLiteral("CREATE TABLE tenantry_shared.evil (x int)")));
        QVERIFY(!q.exec(QStringLiteral("CREATE TABLE public.evil (x int)")));
        QVERIFY(!q.exec(
            QStringLiteral("CREATE TABLE %1.evil (x int)").arg(sql::quoteIdent(m_t1.schema))));
        QVERIFY(!q.exec(QStringLiteral("UPDATE tenantry_control.tenants SET status = 'active'")));
        QVERIFY(!q.exec(QStringLiteral("SET ROLE %1").arg(sql::quoteIdent(m_boot.roles().owner))));
        // But it can work in a tenant schema it was granted.
        QVERIFY2(q.exec(QStringLiteral("INSERT INTO %1.projects (name) VALUES ('p')")
                            .arg(sql::quoteIdent(m_t1.schema))),
                 qPrintable(q.lastError().text()));
        QVERIFY(
            !q.exec(QStringLiteral("DROP TABLE %1.projects").arg(sql::quoteIdent(m_t1.schema))));
    }
};

QTEST_GUILESS_MAIN(TestIsolation)
#include "tst_isolation.moc"
