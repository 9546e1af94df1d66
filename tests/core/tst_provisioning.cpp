// SPDX-License-Identifier: GPL-3.0-or-later
// Migrations, roles and provisioning against the suite's real PostgreSQL.
#include "core/DatabaseBootstrap.h"
#include "core/SqlSupport.h"
#include "core/TenantProvisioner.h"
#include "core/TenantRegistry.h"
#include "harness/TestDatabase.h"

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTest>

using namespace tenantry;

class TestProvisioning : public QObject {
    Q_OBJECT
    test::TestDatabase m_testDb;
    DatabaseBootstrap m_boot;

    int scalar(const QString &statement) {
        QSqlQuery q(m_boot.admin());
        if (!q.exec(statement) || !q.next())
            qFatal("query failed: %s", qPrintable(q.lastError().text()));
        return q.value(0).toInt();
    }

    std::optional<TenantProvisioner::Result> provision(TenantSpec spec, QString *error) {
        if (const auto problem = spec.normalise()) {
            *error = *problem;
            return std::nullopt;
        }
        TenantProvisioner p(m_boot.admin(), m_boot.roles());
        return p.create(spec, error);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(m_testDb.ok(), qPrintable(m_testDb.error()));
        DatabaseBootstrap::Options o;
        o.databaseUrl = m_testDb.adminUrl();
        QStringList progress;
        QString error;
        QVERIFY2(m_boot.prepare(o, &error, [&](const QString &l) { progress << l; }),
                 qPrintable(error));
        QVERIFY(progress.join(u'\n').contains(u"control: applying 0001_init"));
    }

    void migrationsAreIdempotent() {
        DatabaseBootstrap again;
        DatabaseBootstrap::Options o;
        o.databaseUrl = m_testDb.adminUrl();
        QStringList progress;
        QString error;
        QVERIFY2(again.prepare(o, &error, [&](const QString &l) { progress << l; }),
                 qPrintable(error));
        QVERIFY2(progress.join(u'\n').contains(u"up to date"), qPrintable(progress.join(u'\n')));
        QVERIFY(!progress.join(u'\n').contains(u"applying"));
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.schema_migrations")),
                 Migrator::latestControlVersion());
    }

    void rolesAreAsDocumented() {
        const RoleNames roles = m_boot.roles();
        QCOMPARE(roles.owner, m_testDb.name() + QStringLiteral("_owner"));
        QCOMPARE(roles.runtime, m_testDb.name() + QStringLiteral("_app"));
        QCOMPARE(m_boot.runtimeSettings().user, roles.runtime);
        QVERIFY(!m_boot.runtimeSettings().password.isEmpty());
        // Everything in our schemas is owned by the owner role, nothing by the runtime role.
        QCOMPARE(
            scalar(
                QStringLiteral(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname IN ('tenantry_control','tenantry_shared') AND "
                    "c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = '%1')")
                    .arg(roles.owner)),
            0);
    }

    void provisioningMakesTheSchema() {
        TenantSpec spec;
        spec.name = QStringLiteral("Acme Corp");
        spec.tier = QStringLiteral("enterprise");
        spec.region = QStringLiteral("eu-central-1");
        spec.ownerEmail = QStringLiteral("Owner@Acme.example");
        spec.ownerPassword = QStringLiteral("correct horse battery");
        QString error;
        const auto r = provision(spec, &error);
        QVERIFY2(r, qPrintable(error));
        QVERIFY(r->created);
        QCOMPARE(r->tenant.slug, QStringLiteral("acme-corp"));
        QCOMPARE(r->tenant.tier, QStringLiteral("enterprise"));
        QCOMPARE(r->tenant.status, QStringLiteral("active"));
        QCOMPARE(r->tenant.schema, Tenant::schemaFor(r->tenant.id));
        QCOMPARE(r->tenant.schemaVersion, Migrator::latestTenantVersion());
        const QString schema = r->tenant.schema;
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE "
                                       "table_schema = '%1' AND table_name IN "
                                       "('users','projects','invites','settings','roles')")
                            .arg(schema)),
                 5);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM \"%1\".settings").arg(schema)), 3);
        QSqlQuery q(m_boot.admin());
        QVERIFY(q.exec(QStringLiteral("SELECT role, password_hash, email::text FROM \"%1\".users")
                           .arg(schema)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("owner"));
        QVERIFY(q.value(1).toString().startsWith(QStringLiteral("$argon2id$")));
        // CITEXT: the address matches case-insensitively.
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM \"%1\".users WHERE email = "
                                       "'owner@acme.EXAMPLE'")
                            .arg(schema)),
                 1);
    }

    void idempotentOnSlug() {
        TenantSpec spec;
        spec.name = QStringLiteral("Beta");
        QString error;
        const auto first = provision(spec, &error);
        QVERIFY2(first && first->created, qPrintable(error));
        const auto second = provision(spec, &error);
        QVERIFY2(second, qPrintable(error));
        QVERIFY(!second->created);
        QCOMPARE(second->tenant.id, first->tenant.id);
        QCOMPARE(scalar(QStringLiteral(
                     "SELECT count(*) FROM tenantry_control.tenants WHERE slug = 'beta'")),
                 1);
    }

    void failureLeavesNoHalfTenant() {
        const int tenantsBefore =
            scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.tenants"));
        const int schemasBefore = scalar(
            QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'"));
        // Take CREATE away from the owner: the registry row goes in, CREATE SCHEMA then fails.
        QString error;
        QSqlDatabase admin = m_boot.admin();
        QVERIFY(sql::exec(
            admin,
            QStringLiteral("REVOKE CREATE ON DATABASE %1 FROM %2")
                .arg(sql::quoteIdent(m_testDb.name()), sql::quoteIdent(m_boot.roles().owner)),
            &error));
        TenantSpec spec;
        spec.name = QStringLiteral("Half");
        spec.ownerEmail = QStringLiteral("a@half.example");
        spec.ownerPassword = QStringLiteral("correct horse battery");
        const auto r = provision(spec, &error);
        QVERIFY(sql::exec(
            admin,
            QStringLiteral("GRANT CREATE ON DATABASE %1 TO %2")
                .arg(sql::quoteIdent(m_testDb.name()), sql::quoteIdent(m_boot.roles().owner)),
            &error));
        QVERIFY(!r);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.tenants")),
                 tenantsBefore);
        QCOMPARE(scalar(QStringLiteral(
                     "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'")),
                 schemasBefore);
        // And once the cause is gone the same request succeeds.
        const auto retry = provision(spec, &error);
        QVERIFY2(retry && retry->created, qPrintable(error));
    }

    void hundredTenants() {
        QElapsedTimer t;
        t.start();
        const int before = scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.tenants"));
        for (int i = 0; i < 100; ++i) {
            TenantSpec spec;
            spec.name = QStringLiteral("Bulk %1").arg(i);
            QString error;
            const auto r = provision(spec, &error);
            QVERIFY2(r && r->created, qPrintable(error));
        }
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.tenants")),
                 before + 100);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM tenantry_control.tenants WHERE "
                                       "schema_version = %1")
                            .arg(Migrator::latestTenantVersion())),
                 before + 100);
        qInfo("100 tenants provisioned in %lld ms", t.elapsed());
        // migrate over all of them is a no-op now and says so.
        Migrator m(m_boot.admin(), m_boot.roles());
        QStringList progress;
        QString error;
        QVERIFY2(m.migrateTenants(&error, [&](const QString &l) { progress << l; }),
                 qPrintable(error));
        QVERIFY(progress.join(u'\n').contains(u"all schemas at version"));
    }

    void migrateUpgradesOutdatedTenantSchemas() {
        // A tenant recorded at an older version gets the missing migrations applied. Simulate by
        // emptying a tenant's schema and recording version 0, as if provisioned before 0001.
        TenantSpec spec;
        spec.name = QStringLiteral("Old Timer");
        QString error;
        const auto r = provision(spec, &error);
        QVERIFY2(r, qPrintable(error));
        QSqlDatabase admin = m_boot.admin();
        const QString schema = sql::quoteIdent(r->tenant.schema);
        QVERIFY(
            sql::exec(admin,
                      QStringLiteral("DROP SCHEMA %1 CASCADE; CREATE SCHEMA %1 AUTHORIZATION %2")
                          .arg(schema, sql::quoteIdent(m_boot.roles().owner)),
                      &error));
        QVERIFY(sql::exec(admin,
                          QStringLiteral("UPDATE tenantry_control.tenants SET schema_version = 0 "
                                         "WHERE id = '%1'")
                              .arg(r->tenant.id.toString(QUuid::WithoutBraces)),
                          &error));
        Migrator m(admin, m_boot.roles());
        QStringList progress;
        QVERIFY2(m.migrateTenants(&error, [&](const QString &l) { progress << l; }),
                 qPrintable(error));
        QVERIFY2(progress.join(u'\n').contains(u"1/1 migrated"), qPrintable(progress.join(u'\n')));
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM %1.settings").arg(schema)), 3);
    }
};

QTEST_GUILESS_MAIN(TestProvisioning)
#include "tst_provisioning.moc"
