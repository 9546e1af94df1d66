// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/Router.h"

#include <QUrl>

namespace tenantry {

void Router::add(const QByteArray &method, const QString &pattern, Handler handler) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.parts = pattern.split(u'/', Qt::SkipEmptyParts);
    r.handler = std::move(handler);
    m_routes.append(std::move(r));
}

bool Router::matches(const Route &route, const QStringList &segments,
                     QHash<QString, QString> *params) {
    if (route.parts.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &part = route.parts.at(i);
        if (part.startsWith(u'{') && part.endsWith(u'}')) {
            if (params)
                params->insert(part.mid(1, part.size() - 2), segments.at(i));
        } else if (part != segments.at(i)) {
            return false;
        }
    }
    return true;
}

Router::Match Router::match(const QByteArray &method, const QStringList &segments) const {
    Match m;
    const QByteArray wanted = method == "HEAD" ? QByteArray("GET") : method;
    for (const Route &r : m_routes) {
        QHash<QString, QString> params;
        if (!matches(r, segments, &params))
            continue;
        if (r.method == wanted && !m.handler) {
            m.handler = &r.handler;
            m.routeTemplate = r.pattern;
            m.params = std::move(params);
            return m;
        }
        if (!m.allowed.contains(r.method))
            m.allowed.append(r.method);
        if (m.routeTemplate.isEmpty())
            m.routeTemplate = r.pattern;
    }
    if (m.allowed.contains("GET") && !m.allowed.contains("HEAD"))
        m.allowed.append("HEAD");
    return m;
}

QStringList Router::templates() const {
    QStringList out;
    for (const Route &r : m_routes)
        out << QString::fromLatin1(r.method) + u' ' + r.pattern;
    return out;
}

bool Router::splitPath(const QByteArray &encodedPath, QStringList *segments) {
    if (!encodedPath.startsWith('/'))
        return false;
    const QByteArrayList raw = encodedPath.mid(1).split('/');
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const QByteArray &seg = raw.at(i);
        if (seg.isEmpty()) {
            // Only a trailing slash may leave an empty last segment; "/" itself is fine.
            if (i == raw.size() - 1)
                continue;
            return false;
        }
        const QByteArray decoded = QByteArray::fromPercentEncoding(seg);
        if (decoded == "." || decoded == ".." || decoded.contains('\0'))
            return false;
        const QString text = QString::fromUtf8(decoded);
        if (text.toUtf8() != decoded) // invalid UTF-8
            return false;
        segments->append(text);
    }
    return true;
}

} // namespace tenantry
