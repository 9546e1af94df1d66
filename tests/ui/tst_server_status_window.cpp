// SPDX-License-Identifier: GPL-3.0-or-later
// The console's first window against a real HTTP peer (CannedHttpServer), on the offscreen
// platform. Set TENANTRY_SCREENSHOT_DIR to also save a screenshot for review.

#include "CannedHttpServer.h"
#include "client/ApiClient.h"
#include "client/ServerProbe.h"
#include "widgets/ConsoleApplication.h"
#include "widgets/ServerStatusWindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

using tenantry::ConsoleApplication;
using tenantry::ServerStatusWindow;
using tenantry::test::CannedHttpServer;
using tenantry::test::CannedResponse;

namespace {

void routeReady(CannedHttpServer &server, int schema = 1) {
    server.route("/healthz", CannedResponse::json(200, R"({"status":"ok"})"));
    server.route("/readyz", CannedResponse::json(200, R"({"status":"ready","schema_version":)" +
                                                          QByteArray::number(schema) + "}"));
}

template <typename T> T *child(QWidget &window, const char *name) {
    return window.findChild<T *>(QString::fromLatin1(name));
}

} // namespace

class TestServerStatusWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsReadyAfterProbing();
    void closedPortShowsErrorAndRetryWorks();
    void addressFieldSwitchesServer();
    void invalidAddressIsExplained();
    void keyboardShortcuts();
    void argumentParsing();
    void screenshot();
    void germanTranslation(); // last: it installs translators for the rest of the process
};

void TestServerStatusWindow::showsReadyAfterProbing() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server, 3);
    ServerStatusWindow window(server.url());
    window.show();
    auto *state = child<QLabel>(window, "stateLabel");
    QVERIFY(state);
    QTRY_COMPARE(state->text(), QStringLiteral("Ready"));
    QCOMPARE(child<QLabel>(window, "schemaVersionValue")->text(), QStringLiteral("3"));
    QVERIFY(child<QLabel>(window, "latencyValue")->text().endsWith(QStringLiteral(" ms")));
    QVERIFY(child<QLabel>(window, "lastCheckedValue")->text().contains(QLatin1Char(':')));
    QCOMPARE(child<QLabel>(window, "reachabilityValue")->text(), QStringLiteral("Reachable"));
    QVERIFY(!child<QFrame>(window, "errorPanel")->isVisible());
    QCOMPARE(child<QLabel>(window, "statusServerLabel")->text(), server.url().toDisplayString());
    QVERIFY(child<QLabel>(window, "statusConnectionLabel")
                ->text()
                .startsWith(QStringLiteral("Connected")));
    QCOMPARE(window.focusWidget(), child<QLineEdit>(window, "serverUrlEdit"));
    QCOMPARE(child<QLineEdit>(window, "serverUrlEdit")->text(), server.url().toDisplayString());
}

void TestServerStatusWindow::closedPortShowsErrorAndRetryWorks() {
    const quint16 port = CannedHttpServer::closedPort();
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(port));
    ServerStatusWindow window(url);
    window.probe()->setBackoffMs(60'000, 60'000); // only Retry may bring it back
    window.show();
    auto *panel = child<QFrame>(window, "errorPanel");
    auto *retry = child<QPushButton>(window, "retryButton");
    QVERIFY(panel && retry);
    QTRY_VERIFY(panel->isVisible());
    QTRY_VERIFY(retry->isEnabled());
    QVERIFY(retry->isVisible());
    QCOMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Unreachable"));
    const QString message = child<QLabel>(window, "errorLabel")->text();
    QVERIFY2(message.contains(url.toDisplayString()), qPrintable(message));
    QCOMPARE(child<QLabel>(window, "reachabilityValue")->text(), QStringLiteral("Not reachable"));
    QVERIFY(!retry->accessibleName().isEmpty());

    // The server comes up; Retry finds it.
    CannedHttpServer server;
    QVERIFY(server.listen(port));
    routeReady(server);
    QTest::mouseClick(retry, Qt::LeftButton);
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Ready"));
    QVERIFY(!panel->isVisible());
    QCOMPARE(server.requestCount("/readyz"), 1);
}

void TestServerStatusWindow::addressFieldSwitchesServer() {
    const quint16 port = CannedHttpServer::closedPort();
    ServerStatusWindow window(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    window.show();
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Unreachable"));

    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server);
    auto *edit = child<QLineEdit>(window, "serverUrlEdit");
    edit->clear();
    QTest::keyClicks(edit, QStringLiteral("127.0.0.1:%1").arg(server.port()));
    QTest::keyClick(edit, Qt::Key_Return);
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Ready"));
    QCOMPARE(window.apiClient()->baseUrl(), server.url());
    QCOMPARE(edit->text(), server.url().toDisplayString());
}

void TestServerStatusWindow::invalidAddressIsExplained() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server);
    ServerStatusWindow window(server.url());
    window.show();
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Ready"));
    auto *edit = child<QLineEdit>(window, "serverUrlEdit");
    edit->setText(QStringLiteral("ftp://nope"));
    QTest::mouseClick(child<QPushButton>(window, "connectButton"), Qt::LeftButton);
    auto *error = child<QLabel>(window, "serverUrlError");
    QVERIFY(error->isVisible());
    QVERIFY(error->text().contains(QStringLiteral("http://")));
    QCOMPARE(window.apiClient()->baseUrl(), server.url()); // unchanged
}

void TestServerStatusWindow::keyboardShortcuts() {
    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server);
    ServerStatusWindow window(server.url());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Ready"));
    QCOMPARE(server.requestCount("/healthz"), 1);

    auto *refresh = child<QAction>(window, "refreshAction");
    auto *quit = child<QAction>(window, "quitAction");
    QVERIFY(refresh && quit);
    QCOMPARE(refresh->shortcut(), QKeySequence(Qt::Key_F5));
    QCOMPARE(quit->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Q));

    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_F5);
    QTRY_COMPARE(server.requestCount("/healthz"), 2);
    QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
    QTRY_VERIFY(!window.isVisible());
}

void TestServerStatusWindow::argumentParsing() {
    QProcessEnvironment env;
    auto parsed = ConsoleApplication::parseArguments({QStringLiteral("tenantry")}, env);
    QVERIFY(!parsed.exitEarly);
    QCOMPARE(parsed.server, QUrl(QStringLiteral("http://127.0.0.1:8080")));

    env.insert(QStringLiteral("TENANTRY_SERVER_URL"), QStringLiteral("https://env.example"));
    parsed = ConsoleApplication::parseArguments({QStringLiteral("tenantry")}, env);
    QCOMPARE(parsed.server, QUrl(QStringLiteral("https://env.example")));

    parsed = ConsoleApplication::parseArguments(
        {QStringLiteral("tenantry"), QStringLiteral("--server"), QStringLiteral("http://a:1"),
         QStringLiteral("--lang"), QStringLiteral("de")},
        env);
    QCOMPARE(parsed.server, QUrl(QStringLiteral("http://a:1")));
    QCOMPARE(parsed.language, QStringLiteral("de"));

    parsed = ConsoleApplication::parseArguments(
        {QStringLiteral("tenantry"), QStringLiteral("--server"), QStringLiteral("gopher://x")},
        env);
    QVERIFY(parsed.exitEarly);
    QCOMPARE(parsed.exitCode, 2);
    QVERIFY(!parsed.error.isEmpty());

    parsed = ConsoleApplication::parseArguments(
        {QStringLiteral("tenantry"), QStringLiteral("--bogus")}, env);
    QCOMPARE(parsed.exitCode, 2);
}

void TestServerStatusWindow::screenshot() {
    const QString dir = qEnvironmentVariable("TENANTRY_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set TENANTRY_SCREENSHOT_DIR to save screenshots");
    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server);
    ServerStatusWindow window(server.url());
    window.resize(720, 520);
    window.show();
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Ready"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(window.grab().save(dir + QStringLiteral("/server-status.png")));

    const quint16 port = CannedHttpServer::closedPort();
    ServerStatusWindow down(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    down.resize(720, 520);
    down.show();
    QTRY_VERIFY(child<QFrame>(down, "errorPanel")->isVisible());
    QVERIFY(down.grab().save(dir + QStringLiteral("/server-status-unreachable.png")));
}

void TestServerStatusWindow::germanTranslation() {
    QVERIFY(ConsoleApplication::installTranslations(*qApp, QStringLiteral("de")));
    CannedHttpServer server;
    QVERIFY(server.listen());
    routeReady(server);
    ServerStatusWindow window(server.url());
    window.show();
    QTRY_COMPARE(child<QLabel>(window, "stateLabel")->text(), QStringLiteral("Bereit"));
    QCOMPARE(child<QLabel>(window, "reachabilityValue")->text(), QStringLiteral("Erreichbar"));

    const quint16 port = CannedHttpServer::closedPort();
    ServerStatusWindow down(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    down.show();
    QTRY_VERIFY(child<QFrame>(down, "errorPanel")->isVisible());
    const QString message = child<QLabel>(down, "errorLabel")->text();
    QVERIFY2(message.startsWith(QStringLiteral("Der Server unter")), qPrintable(message));
    QCOMPARE(child<QPushButton>(down, "retryButton")->text(), QStringLiteral("&Erneut versuchen"));
}

QTEST_MAIN(TestServerStatusWindow)
#include "tst_server_status_window.moc"
