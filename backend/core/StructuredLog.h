// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

namespace tenantry {

// One log format for the whole process. On a terminal people read text; under systemd, a
// container runtime or CI, machines read JSON lines, so the default follows isatty(stderr).
class StructuredLog {
public:
    enum class Format { Text, Json };

    // Installs the Qt message handler. Safe to call more than once (last call wins).
    static void install(Format format);
    static Format defaultFormat();
    static bool parseFormat(const QString &text, Format *out);
    static Format format();

    // Writes one record with extra structured fields (request lines, security events). Fields
    // become top-level JSON members, or key=value pairs in text mode.
    static void write(const QLoggingCategory &category, QtMsgType type, const QString &message,
                      const QJsonObject &fields = {});
};

} // namespace tenantry
