// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/SqlSupport.h"

namespace tenantry::sql {

QString quoteIdent(const QString &name) {
    QString out = name;
    out.replace(u'"', QStringLiteral("\"\""));
    return u'"' + out + u'"';
}

QString quoteLiteral(const QString &value) {
    QString out = value;
    out.replace(u'\'', QStringLiteral("''"));
    // E'' strings would interpret backslashes; standard_conforming_strings is on, so plain
    // quoting is exact.
    return u'\'' + out + u'\'';
}

QString sqlState(const QSqlError &error) {
    return error.nativeErrorCode();
}

bool isConnectionError(const QSqlError &error) {
    if (!error.isValid())
        return false;
    const QString state = sqlState(error);
    // Every error the server reports carries a SQLSTATE; one without is the client library
    // telling us the connection itself broke ("server closed the connection unexpectedly").
    if (state.isEmpty() || state.startsWith(QStringLiteral("08")) || state == u"57P01" ||
        state == u"57P02" || state == u"57P03")
        return true;
    return error.type() == QSqlError::ConnectionError;
}

static QString messageOf(const QSqlError &e) {
    return e.databaseText().isEmpty() ? e.text() : e.databaseText();
}

bool exec(QSqlQuery &query, const QString &statement, std::initializer_list<QVariant> params,
          QString *error) {
    if (!query.prepare(statement)) {
        if (error)
            *error = messageOf(query.lastError());
        return false;
    }
    for (const QVariant &p : params)
        query.addBindValue(p);
    if (!query.exec()) {
        if (error)
            *error = messageOf(query.lastError());
        return false;
    }
    return true;
}

bool exec(QSqlDatabase &db, const QString &statement, QString *error) {
    QSqlQuery q(db);
    if (!q.exec(statement)) {
        if (error)
            *error = messageOf(q.lastError());
        return false;
    }
    return true;
}

QStringList splitScript(const QString &script) {
    QStringList out;
    QString current;
    const qsizetype n = script.size();
    qsizetype i = 0;
    QString dollarTag; // non-empty while inside $tag$ ... $tag$
    bool inQuote = false;
    while (i < n) {
        const QChar c = script.at(i);
        if (!dollarTag.isEmpty()) {
            if (c == u'$' && script.mid(i, dollarTag.size()) == dollarTag) {
                current += dollarTag;
                i += dollarTag.size();
                dollarTag.clear();
                continue;
            }
            current += c;
            ++i;
            continue;
        }
        if (inQuote) {
            current += c;
            if (c == u'\'')
                inQuote = false;
            ++i;
            continue;
        }
        if (c == u'-' && i + 1 < n && script.at(i + 1) == u'-') {
            while (i < n && script.at(i) != u'\n')
                ++i;
            continue;
        }
        if (c == u'\'') {
            inQuote = true;
            current += c;
            ++i;
            continue;
        }
        if (c == u'$') {
            qsizetype j = i + 1;
            while (j < n && (script.at(j).isLetterOrNumber() || script.at(j) == u'_'))
                ++j;
            if (j < n && script.at(j) == u'$') {
                dollarTag = script.mid(i, j - i + 1);
                current += dollarTag;
                i = j + 1;
                continue;
            }
        }
        if (c == u';') {
            if (!current.trimmed().isEmpty())
                out << current.trimmed();
            current.clear();
            ++i;
            continue;
        }
        current += c;
        ++i;
    }
    if (!current.trimmed().isEmpty())
        out << current.trimmed();
    return out;
}

} // namespace tenantry::sql
