// SPDX-License-Identifier: GPL-3.0-or-later
// Shared fixture for the HTTP API tests: a fresh database on the suite's PostgreSQL, tenants
// provisioned with the real CLI, the real tenantry-server binary serving on a loopback port (its
// key-encryption key in a temporary data dir), owner tokens from the real token endpoint, and
// small request helpers over real sockets (interop/ServerHarness.h).
#pragma once

#include "core/PasswordHasher.h"
#include "harness/TestDatabase.h"
#include "interop/ServerHarness.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

namespace tenantry::test::api {

inline const QString kOwnerPassword = QStringLiteral("correct horse battery");

struct ApiTenant {
    QString name;
    QString id;
    QString slug;
    QString schema;
    QString ownerId;
    QString ownerEmail;
    QString token; // owner's access token
};

class ApiFixture {
public:
    TestDatabase db;
    QTemporaryDir data;
    QSqlDatabase sql; // superuser connection to the test database (fixture data, counting rows)
    std::unique_ptr<ServerProcess> server;

    QStringList common() const {
        return {QStringLiteral("--database-url"), db.adminUrl(), QStringLiteral("--data-dir"),
                data.path()};
    }

    // Opens the superuser connection; the server starts later, once tenants exist.
    bool prepare(const QString &connectionName, QString *error) {
        if (!db.ok()) {
            *error = db.error();
            return false;
        }
        if (!QFileInfo::exists(serverBinary())) {
            *error = QStringLiteral("TENANTRY_SERVER_BINARY not found: ") + serverBinary();
            return false;
        }
        if (!data.isValid()) {
            *error = QStringLiteral("no temporary data dir");
            return false;
        }
        sql = db.open(connectionName);
        if (!sql.isOpen()) {
            *error = QStringLiteral("cannot open the test database");
            return false;
        }
        return true;
    }

    bool startServer(QString *error, const QStringList &extra = {}) {
        server = std::make_unique<ServerProcess>(common() + extra,
                                                 data.filePath(QStringLiteral("server.log")));
        if (server->port() == 0) {
            *error = QStringLiteral("server did not start: ") +
                     QString::fromUtf8(server->log().right(2000));
            return false;
        }
        return true;
    }

    quint16 port() const { return server->port(); }

    // Provisions tenants with `tenant create`, one after the other: concurrent CLI runs against
    // one database can fail with "tuple concurrently updated" (every start re-runs ALTER ROLE
    // <db>_app ... PASSWORD, DatabaseRoles.cpp), which is not what these tests are about.
    bool createTenants(const QStringList &names, QList<ApiTenant> *out, QString *error) {
        QList<ApiTenant> tenants;
        for (qsizetype i = 0; i < names.size(); ++i) {
            ApiTenant t;
            t.name = names.at(i);
            t.ownerEmail = QStringLiteral("o%1@%2.example").arg(i).arg(names.at(i).toLower());
            const CliRun r = runCli(
                QStringList{QStringLiteral("tenant"), QStringLiteral("create"),
                            QStringLiteral("--name"), t.name, QStringLiteral("--owner-email"),
                            t.ownerEmail, QStringLiteral("--owner-password"), kOwnerPassword} +
                common());
            if (r.exitCode != 0) {
                *error = QStringLiteral("tenant create %1 failed: %2")
                             .arg(t.name, QString::fromUtf8(r.err.right(1500)));
                return false;
            }
            const QJsonObject o = r.json();
            t.id = o.value(QStringLiteral("id")).toString();
            t.slug = o.value(QStringLiteral("slug")).toString();
            t.schema = o.value(QStringLiteral("schema")).toString();
            t.ownerId = o.value(QStringLiteral("owner_user_id")).toString();
            if (t.id.isEmpty() || t.schema.isEmpty() || t.ownerId.isEmpty()) {
                *error = QStringLiteral("tenant create %1 printed no id/schema/owner").arg(t.name);
                return false;
            }
            tenants << t;
        }
        *out = tenants;
        return true;
    }

    Reply passwordGrant(const QString &tenant, const QString &user, const QString &password) {
        return postForm(port(), "/v1/auth/token",
                        {{QStringLiteral("grant_type"), QStringLiteral("password")},
                         {QStringLiteral("tenant"), tenant},
                         {QStringLiteral("username"), user},
                         {QStringLiteral("password"), password}});
    }

    QString signIn(const QString &tenant, const QString &user, const QString &password,
                   QString *error) {
        const Reply r = passwordGrant(tenant, user, password);
        if (r.status != 200) {
            *error = QStringLiteral("sign-in %1 @ %2: %3")
                         .arg(user, tenant, QString::fromUtf8(r.describe()));
            return {};
        }
        return r.str("access_token");
    }

    bool signInOwners(QList<ApiTenant> *tenants, QString *error) {
        for (ApiTenant &t : *tenants) {
            t.token = signIn(t.slug, t.ownerEmail, kOwnerPassword, error);
            if (t.token.isEmpty())
                return false;
        }
        return true;
    }

    // A user inserted directly (superuser SQL) into a tenant schema: the test's fixture data,
    // since there is no invite flow yet.
    QString addUser(const ApiTenant &t, const QString &email, const QString &password,
                    const QString &role) {
        QSqlQuery q(sql);
        q.prepare(
            QStringLiteral(
                "INSERT INTO \"%1\".users (email, name, password_hash, role) VALUES (?, ?, ?, ?) "
                "RETURNING id::text")
                .arg(t.schema));
        q.addBindValue(email);
        q.addBindValue(email.section(u'@', 0, 0));
        q.addBindValue(PasswordHasher().hash(password));
        q.addBindValue(role);
        if (!q.exec() || !q.next()) {
            qWarning("insert user failed: %s", qPrintable(q.lastError().text()));
            return {};
        }
        return q.value(0).toString();
    }

    bool execSql(const QString &statement, const QVariantList &binds = {}) {
        QSqlQuery q(sql);
        q.prepare(statement);
        for (const QVariant &b : binds)
            q.addBindValue(b);
        if (!q.exec()) {
            qWarning("SQL failed: %s", qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }

    // First column of the first row, or an invalid QVariant.
    QVariant scalar(const QString &statement, const QVariantList &binds = {}) {
        QSqlQuery q(sql);
        q.prepare(statement);
        for (const QVariant &b : binds)
            q.addBindValue(b);
        if (!q.exec() || !q.next()) {
            qWarning("SQL failed: %s", qPrintable(q.lastError().text()));
            return {};
        }
        return q.value(0);
    }

    // One request with a bearer token; a JSON body gets Content-Type application/json.
    Reply call(const QByteArray &method, const QByteArray &target, const QString &token,
               const QByteArray &body = {}, const Headers &extra = {}) {
        Headers h;
        if (!token.isEmpty())
            h.append({QByteArray("Authorization"), QByteArray("Bearer " + token.toLatin1())});
        if (!body.isEmpty())
            h.append({QByteArray("Content-Type"), QByteArray("application/json")});
        return http(port(), method, target, h + extra, body);
    }
};

inline QByteArray compact(const QJsonObject &o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

inline QByteArray tenantPath(const ApiTenant &t, const QByteArray &rest) {
    return "/v1/" + t.id.toLatin1() + rest;
}

inline bool isProblem(const Reply &r) {
    return r.header("content-type").startsWith("application/problem+json") &&
           r.json().contains(QStringLiteral("code"));
}

} // namespace tenantry::test::api
