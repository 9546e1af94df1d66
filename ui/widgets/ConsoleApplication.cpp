// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ConsoleApplication.h"

#include "client/ApiClient.h"
#include "widgets/ServerStatusWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <cstdio>

namespace tenantry {

ConsoleApplication::Options ConsoleApplication::parseArguments(const QStringList &arguments,
                                                               const QProcessEnvironment &env) {
    Options options;
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Tenantry console: administer tenants on a Tenantry "
                                        "server."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption server(
        QStringList{QStringLiteral("server")},
        tr("Base URL of the Tenantry server (default %1; environment TENANTRY_SERVER_URL).")
            .arg(QLatin1String(kDefaultServer)),
        QStringLiteral("URL"));
    const QCommandLineOption lang(QStringList{QStringLiteral("lang")},
                                  tr("Language of the user interface, e.g. \"de\"."),
                                  QStringLiteral("LANG"));
    parser.addOption(server);
    parser.addOption(lang);

    if (!parser.parse(arguments)) {
        options.error = parser.errorText();
        options.exitEarly = true;
        options.exitCode = 2;
        return options;
    }
    if (parser.isSet(help)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        options.exitEarly = true;
        return options;
    }
    if (parser.isSet(version)) {
        std::printf("%s %s\n", qPrintable(QCoreApplication::applicationName()),
                    qPrintable(QCoreApplication::applicationVersion()));
        options.exitEarly = true;
        return options;
    }
    if (!parser.positionalArguments().isEmpty()) {
        options.error = tr("Unexpected argument: %1").arg(parser.positionalArguments().first());
        options.exitEarly = true;
        options.exitCode = 2;
        return options;
    }

    QString serverText = QString::fromLatin1(kDefaultServer);
    if (parser.isSet(server))
        serverText = parser.value(server);
    else if (!env.value(QStringLiteral("TENANTRY_SERVER_URL")).isEmpty())
        serverText = env.value(QStringLiteral("TENANTRY_SERVER_URL"));
    options.server = client::ApiClient::parseServerUrl(serverText);
    if (!options.server.isValid()) {
        options.error = tr("Not a server address (expected http:// or https:// and a host): %1")
                            .arg(serverText);
        options.exitEarly = true;
        options.exitCode = 2;
        return options;
    }
    options.language = parser.value(lang);
    return options;
}

bool ConsoleApplication::installTranslations(QCoreApplication &app, const QString &language) {
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (!language.isEmpty())
        QLocale::setDefault(locale);

    auto *qtTranslator = new QTranslator(&app);
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qtTranslator);
    else
        delete qtTranslator;

    auto *translator = new QTranslator(&app);
    if (translator->load(locale, QStringLiteral("tenantry"), QStringLiteral("_"),
                         QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(translator);
        return true;
    }
    delete translator;
    return false;
}

int ConsoleApplication::run(int argc, char **argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("tenantry"));
    QApplication::setApplicationDisplayName(QStringLiteral("Tenantry"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setOrganizationName(QStringLiteral("Tenantry"));
    QApplication::setDesktopFileName(QStringLiteral("tenantry"));

    // Translations first, so --help and usage errors are in the chosen language too.
    QString language;
    const QStringList args = QApplication::arguments();
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args.at(i) == QLatin1String("--lang") && i + 1 < args.size())
            language = args.at(i + 1);
        else if (args.at(i).startsWith(QLatin1String("--lang=")))
            language = args.at(i).mid(7);
    }
    installTranslations(app, language);

    const Options options = parseArguments(args, QProcessEnvironment::systemEnvironment());
    if (options.exitEarly) {
        if (!options.error.isEmpty())
            std::fprintf(stderr, "tenantry: %s\n", qPrintable(options.error));
        return options.exitCode;
    }

    ServerStatusWindow window(options.server);
    window.show();
    return QApplication::exec();
}

} // namespace tenantry
