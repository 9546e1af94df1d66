// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace tenantry {

// Where and as whom to connect to PostgreSQL. Parsed from a libpq-style URL
// (postgresql://user:password@host:port/db?host=/socket/dir&sslmode=require).
struct ConnectionSettings {
    QString host; // host name, IP address, or a Unix socket directory (starts with '/')
    int port = 5432;
    QString database;
    QString user;
    QString password;
    QString options; // extra libpq options, "key=value;key=value" as QPSQL expects

    static std::optional<ConnectionSettings> fromUrl(const QString &url, QString *error);
    QString toUrl(bool withPassword = false) const;

    // Same server, other role (and optionally other database).
    ConnectionSettings withUser(const QString &user, const QString &password) const;
    ConnectionSettings withDatabase(const QString &database) const;

    // Adds a QPSQL connection named `name` in the calling thread and opens it. The returned
    // handle belongs to that thread only.
    QSqlDatabase open(const QString &name, QString *error) const;
};

} // namespace tenantry
