// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <initializer_list>

namespace tenantry {

// Small helpers around QtSql so every caller reports errors the same way.
namespace sql {

// Quotes a PostgreSQL identifier ("a""b"). Only ever applied to names we generated and validated.
QString quoteIdent(const QString &name);
// Quotes a string literal for the few statements that cannot take parameters (CREATE ROLE ...).
QString quoteLiteral(const QString &value);

// SQLSTATE of the last error ("" when unknown).
QString sqlState(const QSqlError &error);
// True when the error means the connection is gone (class 08, 57P01..57P03) and reopening helps.
bool isConnectionError(const QSqlError &error);

// Runs one statement with positional parameters. On failure stores the database's message.
bool exec(QSqlQuery &query, const QString &statement, std::initializer_list<QVariant> params,
          QString *error);
bool exec(QSqlDatabase &db, const QString &statement, QString *error);

// Splits a migration script into statements, respecting quotes, dollar quoting and comments.
QStringList splitScript(const QString &script);

// Runs `work` between BEGIN and COMMIT; rolls back if it returns false or throws.
template <typename Fn> bool inTransaction(QSqlDatabase &db, QString *error, Fn &&work) {
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    bool ok = false;
    try {
        ok = work();
    } catch (...) {
        db.rollback();
        throw;
    }
    if (!ok) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = db.lastError().databaseText();
        db.rollback();
        return false;
    }
    return true;
}

} // namespace sql
} // namespace tenantry
