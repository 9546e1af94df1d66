// SPDX-License-Identifier: GPL-3.0-or-later
// docs/api/openapi.json and the route table kept in step (issue 4, item 7): every
// "METHOD /template" of ServerRoutes::build()->templates() is a documented operation and every
// documented operation is routed (HEAD and OPTIONS, answered for every path by the dispatcher,
// excepted). Also: the document is OpenAPI 3.1, every local $ref resolves, every operation has
// an operationId (unique) and responses, tenant routes require the bearer scheme, error
// responses are application/problem+json, and nothing listed under x-tenantry-planned is routed.
#include "core/StrictJson.h"
#include "http/ServerRoutes.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace tenantry;

namespace {

const QStringList kMethods{QStringLiteral("get"),   QStringLiteral("put"),
                           QStringLiteral("post"),  QStringLiteral("delete"),
                           QStringLiteral("patch"), QStringLiteral("trace")};

QJsonValue resolve(const QJsonObject &root, const QString &ref) {
    if (!ref.startsWith(u"#/"))
        return {};
    QJsonValue v = root;
    for (QString part : ref.mid(2).split(u'/')) {
        part.replace(QStringLiteral("~1"), QStringLiteral("/"))
            .replace(QStringLiteral("~0"), QStringLiteral("~"));
        if (!v.isObject() || !v.toObject().contains(part))
            return {};
        v = v.toObject().value(part);
    }
    return v;
}

void collectRefs(const QJsonValue &v, QStringList *out) {
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == u"$ref" && it.value().isString())
                out->append(it.value().toString());
            else
                collectRefs(it.value(), out);
        }
    } else if (v.isArray()) {
        for (const QJsonValue &e : v.toArray())
            collectRefs(e, out);
    }
}

} // namespace

class TestOpenApi : public QObject {
    Q_OBJECT

    QJsonObject m_doc;
    QSet<QString> m_routed;
    QSet<QString> m_documented;

private Q_SLOTS:
    void initTestCase() {
        const QString source = qEnvironmentVariable("TENANTRY_SOURCE_DIR");
        QVERIFY2(!source.isEmpty(), "TENANTRY_SOURCE_DIR is not set");
        QFile f(source + QStringLiteral("/docs/api/openapi.json"));
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        const QByteArray text = f.readAll();
        // Strict: no duplicate keys (a silently shadowed path would hide a missing one).
        QString error;
        const auto doc = StrictJson::parseObject(text, &error, 64, 4 * 1024 * 1024);
        QVERIFY2(doc.has_value(), qPrintable(error));
        m_doc = *doc;
        for (const QString &t : ServerRoutes::build()->templates())
            m_routed.insert(t);
        const QJsonObject paths = m_doc.value(QStringLiteral("paths")).toObject();
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const QJsonObject item = p.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                if (kMethods.contains(op.key()))
                    m_documented.insert(op.key().toUpper() + u' ' + p.key());
            }
        }
    }

    void version() {
        QVERIFY(m_doc.value(QStringLiteral("openapi")).toString().startsWith(u"3.1"));
        QVERIFY(!m_doc.value(QStringLiteral("info"))
                     .toObject()
                     .value(QStringLiteral("title"))
                     .toString()
                     .isEmpty());
        QCOMPARE(m_doc.value(QStringLiteral("info"))
                     .toObject()
                     .value(QStringLiteral("license"))
                     .toObject()
                     .value(QStringLiteral("identifier")),
                 QJsonValue(QStringLiteral("GPL-3.0-or-later")));
    }

    void everyRouteDocumented() {
        QVERIFY(!m_routed.isEmpty());
        QStringList missing;
        for (const QString &r : std::as_const(m_routed)) {
            if (!m_documented.contains(r))
                missing << r;
        }
        missing.sort();
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("routed but not documented: ") + missing.join(u", ")));
    }

    void everyDocumentedOperationRouted() {
        QStringList extra;
        for (const QString &d : std::as_const(m_documented)) {
            if (!m_routed.contains(d))
                extra << d;
        }
        extra.sort();
        QVERIFY2(extra.isEmpty(),
                 qPrintable(QStringLiteral("documented but not routed: ") + extra.join(u", ")));
    }

    void plannedIsNotRouted() {
        const QJsonArray planned = m_doc.value(QStringLiteral("x-tenantry-planned")).toArray();
        QVERIFY(!planned.isEmpty());
        for (const QJsonValue &v : planned) {
            const QString entry = v.toObject().value(QStringLiteral("operation")).toString();
            QVERIFY2(!entry.isEmpty(), "x-tenantry-planned entries are {operation, note}");
            const QString op = entry.section(u' ', 0, 1);
            QVERIFY2(!m_routed.contains(op),
                     qPrintable(op + QStringLiteral(" is routed: document it under paths")));
            QVERIFY2(!m_documented.contains(op),
                     qPrintable(op + QStringLiteral(" is both planned and documented")));
        }
    }

    void refsResolve() {
        QStringList refs;
        collectRefs(m_doc, &refs);
        QVERIFY(!refs.isEmpty());
        for (const QString &ref : std::as_const(refs))
            QVERIFY2(!resolve(m_doc, ref).isUndefined(),
                     qPrintable(QStringLiteral("unresolved $ref ") + ref));
    }

    void operationsWellFormed() {
        const QJsonObject paths = m_doc.value(QStringLiteral("paths")).toObject();
        QSet<QString> ids;
        const QJsonArray globalSecurity = m_doc.value(QStringLiteral("security")).toArray();
        QVERIFY(m_doc.value(QStringLiteral("components"))
                    .toObject()
                    .value(QStringLiteral("securitySchemes"))
                    .toObject()
                    .contains(QStringLiteral("bearer")));
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const QJsonObject item = p.value().toObject();
            for (auto op = item.begin(); op != item.end(); ++op) {
                if (!kMethods.contains(op.key()))
                    continue;
                const QString name = op.key().toUpper() + u' ' + p.key();
                const QJsonObject o = op.value().toObject();
                const QString id = o.value(QStringLiteral("operationId")).toString();
                QVERIFY2(!id.isEmpty() && !ids.contains(id), qPrintable(name));
                ids.insert(id);
                const QJsonObject responses = o.value(QStringLiteral("responses")).toObject();
                QVERIFY2(!responses.isEmpty(), qPrintable(name));
                // Path parameters are declared (on the path item or the operation).
                QSet<QString> declared;
                for (const QJsonArray &list : {item.value(QStringLiteral("parameters")).toArray(),
                                               o.value(QStringLiteral("parameters")).toArray()}) {
                    for (const QJsonValue &pv : list) {
                        QJsonObject param = pv.toObject();
                        if (param.contains(QStringLiteral("$ref")))
                            param = resolve(m_doc, param.value(QStringLiteral("$ref")).toString())
                                        .toObject();
                        if (param.value(QStringLiteral("in")).toString() == u"path")
                            declared.insert(param.value(QStringLiteral("name")).toString());
                    }
                }
                const QStringList segments = p.key().split(u'/');
                for (const QString &s : segments) {
                    if (s.startsWith(u'{'))
                        QVERIFY2(declared.contains(s.mid(1, s.size() - 2)),
                                 qPrintable(name + u' ' + s));
                }
                // Tenant routes need the bearer token.
                const QJsonArray security = o.contains(QStringLiteral("security"))
                                                ? o.value(QStringLiteral("security")).toArray()
                                                : globalSecurity;
                if (p.key().startsWith(u"/v1/{tenantId}/")) {
                    bool bearer = false;
                    for (const QJsonValue &s : security)
                        bearer = bearer || s.toObject().contains(QStringLiteral("bearer"));
                    QVERIFY2(bearer,
                             qPrintable(name + QStringLiteral(" must require the bearer scheme")));
                    QVERIFY2(responses.contains(QStringLiteral("403")),
                             qPrintable(name + QStringLiteral(": 403")));
                    QVERIFY2(responses.contains(QStringLiteral("401")),
                             qPrintable(name + QStringLiteral(": 401")));
                }
                // Error responses are problem+json.
                for (auto r = responses.begin(); r != responses.end(); ++r) {
                    if (r.key().toInt() < 400)
                        continue;
                    QJsonObject resp = r.value().toObject();
                    if (resp.contains(QStringLiteral("$ref")))
                        resp = resolve(m_doc, resp.value(QStringLiteral("$ref")).toString())
                                   .toObject();
                    const QJsonObject content = resp.value(QStringLiteral("content")).toObject();
                    QVERIFY2(content.contains(QStringLiteral("application/problem+json")),
                             qPrintable(name + u' ' + r.key()));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
