// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/StructuredLog.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>

#include <atomic>
#include <cstdio>
#include <unistd.h>

namespace tenantry {
namespace {

std::atomic<StructuredLog::Format> g_format{StructuredLog::Format::Text};
QMutex g_writeMutex; // keeps lines from different worker threads whole

const char *levelName(QtMsgType type) {
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void emitLine(const char *category, QtMsgType type, const QString &message,
              const QJsonObject &fields) {
    const QString ts = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    QByteArray line;
    if (g_format.load() == StructuredLog::Format::Json) {
        QJsonObject o = fields;
        o.insert(QStringLiteral("ts"), ts);
        o.insert(QStringLiteral("level"), QString::fromLatin1(levelName(type)));
        o.insert(QStringLiteral("category"), QString::fromLatin1(category));
        o.insert(QStringLiteral("msg"), message);
        line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    } else {
        QString text = ts + u' ' + QString::fromLatin1(levelName(type)).toUpper() + u' ' +
                       QString::fromLatin1(category) + u": " + message;
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            const QJsonValue v = it.value();
            QString value =
                v.isString()
                    ? v.toString()
                    : QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact))
                          .mid(1)
                          .chopped(1);
            text += u' ' + it.key() + u'=' + value;
        }
        // Never let a message forge a second log line.
        text.replace(u'\n', QStringLiteral("\\n"));
        line = text.toUtf8();
    }
    line.append('\n');
    QMutexLocker lock(&g_writeMutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message) {
    emitLine(context.category ? context.category : "default", type, message, {});
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void StructuredLog::install(Format format) {
    g_format.store(format);
    // Debug output only when asked for with QT_LOGGING_RULES.
    if (!qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    qInstallMessageHandler(messageHandler);
}

StructuredLog::Format StructuredLog::defaultFormat() {
    return ::isatty(STDERR_FILENO) ? Format::Text : Format::Json;
}

bool StructuredLog::parseFormat(const QString &text, Format *out) {
    if (text == u"json") {
        *out = Format::Json;
        return true;
    }
    if (text == u"text") {
        *out = Format::Text;
        return true;
    }
    return false;
}

StructuredLog::Format StructuredLog::format() {
    return g_format.load();
}

void StructuredLog::write(const QLoggingCategory &category, QtMsgType type, const QString &message,
                          const QJsonObject &fields) {
    if (!category.isEnabled(type))
        return;
    emitLine(category.categoryName(), type, message, fields);
}

} // namespace tenantry
