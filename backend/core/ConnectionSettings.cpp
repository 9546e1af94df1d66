// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/ConnectionSettings.h"

#include <QSqlError>
#include <QUrl>
#include <QUrlQuery>

namespace tenantry {

std::optional<ConnectionSettings> ConnectionSettings::fromUrl(const QString &text, QString *error) {
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"postgresql" && url.scheme() != u"postgres")) {
        *error = QStringLiteral("database URL must look like postgresql://user@host:port/db");
        return std::nullopt;
    }
    ConnectionSettings s;
    s.host = url.host(QUrl::FullyDecoded);
    s.port = url.port(5432);
    s.user = url.userName(QUrl::FullyDecoded);
    s.password = url.password(QUrl::FullyDecoded);
    s.database = url.path(QUrl::FullyDecoded).mid(1);
    QStringList options;
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"host") {
            s.host = value;
        } else if (key == u"port") {
            bool ok = false;
            s.port = value.toInt(&ok);
            if (!ok) {
                *error = QStringLiteral("database URL has a bad port");
                return std::nullopt;
            }
        } else if (key == u"user") {
            s.user = value;
        } else if (key == u"password") {
            s.password = value;
        } else if (key == u"sslmode" || key == u"sslrootcert" || key == u"sslcert" ||
                   key == u"sslkey" || key == u"connect_timeout" || key == u"application_name") {
            if (value.contains(u';') || value.contains(u'=')) {
                *error = QStringLiteral("database URL option %1 has a bad value").arg(key);
                return std::nullopt;
            }
            options << key + u'=' + value;
        } else {
            *error = QStringLiteral("database URL option %1 is not supported").arg(key);
            return std::nullopt;
        }
    }
    if (s.host.isEmpty())
        s.host = QStringLiteral("localhost");
    if (s.database.isEmpty())
        s.database = s.user.isEmpty() ? QStringLiteral("postgres") : s.user;
    if (s.port <= 0 || s.port > 65535) {
        *error = QStringLiteral("database URL has a bad port");
        return std::nullopt;
    }
    s.options = options.join(u';');
    return s;
}

QString ConnectionSettings::toUrl(bool withPassword) const {
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    if (withPassword && !password.isEmpty())
        url.setPassword(password);
    url.setPath(u'/' + database);
    QUrlQuery query;
    if (host.startsWith(u'/')) {
        query.addQueryItem(QStringLiteral("host"), host);
        query.addQueryItem(QStringLiteral("port"), QString::number(port));
    } else {
        url.setHost(host);
        url.setPort(port);
    }
    const QStringList parts = options.split(u';', Qt::SkipEmptyParts);
    for (const QString &kv : parts)
        query.addQueryItem(kv.section(u'=', 0, 0), kv.section(u'=', 1));
    if (!query.isEmpty())
        url.setQuery(query);
    return url.toString();
}

ConnectionSettings ConnectionSettings::withUser(const QString &u, const QString &p) const {
    ConnectionSettings s = *this;
    s.user = u;
    s.password = p;
    return s;
}

ConnectionSettings ConnectionSettings::withDatabase(const QString &db) const {
    ConnectionSettings s = *this;
    s.database = db;
    return s;
}

QSqlDatabase ConnectionSettings::open(const QString &name, QString *error) const {
    QSqlDatabase db = QSqlDatabase::contains(name)
                          ? QSqlDatabase::database(name, false)
                          : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(host);
    db.setPort(port);
    db.setDatabaseName(database);
    db.setUserName(user);
    db.setPassword(password);
    // Bounded connects and keepalives so a dead server is noticed instead of hanging a worker.
    QString opts = QStringLiteral("connect_timeout=5;keepalives=1;keepalives_idle=30;"
                                  "keepalives_interval=10;keepalives_count=3;"
                                  "options='-cclient_min_messages=warning'");
    if (!options.isEmpty())
        opts += u';' + options;
    if (!opts.contains(QStringLiteral("application_name")))
        opts += QStringLiteral(";application_name=tenantry");
    db.setConnectOptions(opts);
    if (!db.open()) {
        *error = db.lastError().databaseText().isEmpty() ? db.lastError().text()
                                                         : db.lastError().databaseText();
        return db;
    }
    return db;
}

} // namespace tenantry
