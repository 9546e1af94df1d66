// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace tenantry {

// The desktop console's entry point: options, translations, the first window.
class ConsoleApplication {
    Q_DECLARE_TR_FUNCTIONS(tenantry::ConsoleApplication)

public:
    static constexpr const char *kDefaultServer = "http://127.0.0.1:8080";

    struct Options {
        QUrl server;
        QString language; // empty: the system's
        QString error;    // set when the arguments are unusable
        bool exitEarly = false;
        int exitCode = 0;
    };

    // argv[0] included. `--server` wins over TENANTRY_SERVER_URL, which wins over the default.
    static Options parseArguments(const QStringList &arguments,
                                  const QProcessEnvironment &environment);
    // Installs the console's (and Qt's own) translations for `language` ("de", "de_DE", or
    // empty for the system locale). Returns false when the console has none for it.
    static bool installTranslations(QCoreApplication &app, const QString &language);
    static int run(int argc, char **argv);
};

} // namespace tenantry
