// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/ServerStatusWindow.h"

#include "client/ApiClient.h"
#include "client/ServerProbe.h"

#include <QAction>
#include <QApplication>
#include <QEvent>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QPushButton>
#include <QStatusBar>
#include <QStyle>
#include <QVBoxLayout>

namespace tenantry {

using client::ServerStatus;
using State = client::ServerStatus::State;

namespace {

QFont scaledFont(const QFont &base, qreal points, bool semibold) {
    QFont f = base;
    if (f.pointSizeF() > 0)
        f.setPointSizeF(points);
    if (semibold)
        f.setWeight(QFont::DemiBold);
    return f;
}

bool isDark(const QPalette &palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor stateColour(State state, const QPalette &palette) {
    const bool dark = isDark(palette);
    switch (state) {
    case State::Ready:
        return dark ? QColor(0x81, 0xC9, 0x95) : QColor(0x1E, 0x7D, 0x32);
    case State::Starting:
    case State::NotReady:
        return dark ? QColor(0xFD, 0xD6, 0x63) : QColor(0x8A, 0x5A, 0x00);
    case State::Unreachable:
    case State::Incompatible:
        return dark ? QColor(0xF2, 0x8B, 0x82) : QColor(0xC6, 0x28, 0x28);
    case State::Unknown:
        break;
    }
    return palette.color(QPalette::PlaceholderText);
}

} // namespace

ServerStatusWindow::ServerStatusWindow(const QUrl &server, QWidget *parent)
    : QMainWindow(parent)
    , m_client(new client::ApiClient(server, this))
    , m_probe(new client::ServerProbe(m_client, this)) {
    setObjectName(QStringLiteral("serverStatusWindow"));
    setWindowTitle(tr("Tenantry — Server"));
    buildUi();
    m_urlEdit->setText(server.toDisplayString());

    connect(m_probe, &client::ServerProbe::checkingStarted, this,
            &ServerStatusWindow::showChecking);
    connect(m_probe, &client::ServerProbe::statusChanged, this, &ServerStatusWindow::showStatus);
    connect(m_client, &client::ApiClient::retryScheduled, this,
            [this](quint64, int, int delayMs, const client::ApiError &) {
                m_statusConnection->setText(
                    client::ApiError::retryingMessage((delayMs + 999) / 1000));
            });

    showStatus(m_probe->status());
    m_statusServer->setText(m_client->baseUrl().toDisplayString());
    m_urlEdit->setFocus(Qt::OtherFocusReason);
    m_probe->start();
}

ServerStatusWindow::~ServerStatusWindow() {
    m_probe->stop();
}

void ServerStatusWindow::buildUi() {
    // Menus: every action reachable from a menu and a shortcut.
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    auto *refreshAction = fileMenu->addAction(tr("&Check Server Now"));
    refreshAction->setObjectName(QStringLiteral("refreshAction"));
    refreshAction->setShortcut(QKeySequence::Refresh);
    refreshAction->setShortcutContext(Qt::ApplicationShortcut);
    connect(refreshAction, &QAction::triggered, this, &ServerStatusWindow::refresh);
    fileMenu->addSeparator();
    auto *quitAction = fileMenu->addAction(tr("&Quit"));
    quitAction->setObjectName(QStringLiteral("quitAction"));
    quitAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quitAction->setShortcutContext(Qt::ApplicationShortcut);
    quitAction->setMenuRole(QAction::QuitRole);
    connect(quitAction, &QAction::triggered, qApp, &QApplication::closeAllWindows);

    auto *central = new QWidget(this);
    auto *outer = new QVBoxLayout(central);
    outer->setContentsMargins(24, 24, 24, 16);
    outer->setSpacing(16);

    auto *heading = new QLabel(tr("Server"), central);
    heading->setFont(scaledFont(font(), 14, true));
    heading->setAccessibleName(heading->text());
    outer->addWidget(heading);

    auto *intro = new QLabel(tr("Signing in is not available in this version yet. This page shows "
                                "whether the console can reach the Tenantry server and whether "
                                "the server is ready."),
                             central);
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);
    outer->addWidget(intro);

    // Server address.
    auto *urlRow = new QHBoxLayout;
    urlRow->setSpacing(8);
    auto *urlLabel = new QLabel(tr("Server &address:"), central);
    m_urlEdit = new QLineEdit(central);
    m_urlEdit->setObjectName(QStringLiteral("serverUrlEdit"));
    m_urlEdit->setPlaceholderText(QString::fromLatin1(kDefaultPlaceholder()));
    m_urlEdit->setAccessibleName(tr("Server address"));
    m_urlEdit->setClearButtonEnabled(true);
    m_urlEdit->setMinimumWidth(fontMetrics().averageCharWidth() * 36);
    urlLabel->setBuddy(m_urlEdit);
    m_connectButton = new QPushButton(tr("C&onnect"), central);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setAccessibleName(tr("Connect to this server"));
    urlRow->addWidget(urlLabel);
    urlRow->addWidget(m_urlEdit, 1);
    urlRow->addWidget(m_connectButton);
    outer->addLayout(urlRow);
    m_urlError = new QLabel(central);
    m_urlError->setObjectName(QStringLiteral("serverUrlError"));
    m_urlError->setWordWrap(true);
    m_urlError->hide();
    outer->addWidget(m_urlError);
    connect(m_connectButton, &QPushButton::clicked, this, &ServerStatusWindow::applyServerField);
    connect(m_urlEdit, &QLineEdit::returnPressed, this, &ServerStatusWindow::applyServerField);

    // Inline error with Retry.
    m_errorPanel = new QFrame(central);
    m_errorPanel->setObjectName(QStringLiteral("errorPanel"));
    m_errorPanel->setFrameShape(QFrame::StyledPanel);
    m_errorPanel->setAccessibleName(tr("Connection problem"));
    auto *errorLayout = new QHBoxLayout(m_errorPanel);
    errorLayout->setContentsMargins(12, 12, 12, 12);
    errorLayout->setSpacing(12);
    m_errorIcon = new QLabel(m_errorPanel);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize) * 2;
    m_errorIcon->setPixmap(
        style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize, iconSize));
    m_errorIcon->setAlignment(Qt::AlignTop);
    auto *errorText = new QVBoxLayout;
    errorText->setSpacing(4);
    m_errorLabel = new QLabel(m_errorPanel);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorNextLabel = new QLabel(m_errorPanel);
    m_errorNextLabel->setObjectName(QStringLiteral("errorNextCheckLabel"));
    m_errorNextLabel->setWordWrap(true);
    m_errorNextLabel->setForegroundRole(QPalette::PlaceholderText);
    errorText->addWidget(m_errorLabel);
    errorText->addWidget(m_errorNextLabel);
    m_retryButton = new QPushButton(tr("&Retry"), m_errorPanel);
    m_retryButton->setObjectName(QStringLiteral("retryButton"));
    m_retryButton->setAccessibleName(tr("Retry connecting to the server"));
    connect(m_retryButton, &QPushButton::clicked, this, &ServerStatusWindow::refresh);
    errorLayout->addWidget(m_errorIcon);
    errorLayout->addLayout(errorText, 1);
    errorLayout->addWidget(m_retryButton, 0, Qt::AlignTop);
    m_errorPanel->hide();
    outer->addWidget(m_errorPanel);

    // Status card.
    m_card = new QFrame(central);
    m_card->setObjectName(QStringLiteral("statusCard"));
    m_card->setFrameShape(QFrame::StyledPanel);
    m_card->setAutoFillBackground(true);
    m_card->setBackgroundRole(QPalette::Base);
    m_card->setAccessibleName(tr("Server status"));
    auto *cardLayout = new QVBoxLayout(m_card);
    cardLayout->setContentsMargins(16, 12, 16, 16);
    cardLayout->setSpacing(8);
    auto *stateRow = new QHBoxLayout;
    stateRow->setSpacing(8);
    m_stateDot = new QLabel(QStringLiteral("●"), m_card);
    m_stateDot->setFont(scaledFont(font(), 18, false));
    m_stateDot->setAccessibleName(QString());
    m_stateLabel = new QLabel(m_card);
    m_stateLabel->setObjectName(QStringLiteral("stateLabel"));
    m_stateLabel->setFont(scaledFont(font(), 24, true));
    stateRow->addWidget(m_stateDot);
    stateRow->addWidget(m_stateLabel, 1);
    cardLayout->addLayout(stateRow);
    m_summaryLabel = new QLabel(m_card);
    m_summaryLabel->setObjectName(QStringLiteral("summaryLabel"));
    m_summaryLabel->setWordWrap(true);
    m_summaryLabel->setForegroundRole(QPalette::PlaceholderText);
    cardLayout->addWidget(m_summaryLabel);

    auto *form = new QFormLayout;
    form->setHorizontalSpacing(16);
    form->setVerticalSpacing(8);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    auto addRow = [this, form](const QString &label, const char *objectName) {
        auto *value = new QLabel(m_card);
        value->setObjectName(QString::fromLatin1(objectName));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setAccessibleName(label);
        form->addRow(label, value);
        return value;
    };
    m_reachabilityValue = addRow(tr("Reachability"), "reachabilityValue");
    m_readinessValue = addRow(tr("Readiness"), "readinessValue");
    m_schemaValue = addRow(tr("Schema version"), "schemaVersionValue");
    m_latencyValue = addRow(tr("Latency"), "latencyValue");
    m_checkedValue = addRow(tr("Last checked"), "lastCheckedValue");
    cardLayout->addLayout(form);
    outer->addWidget(m_card);
    outer->addStretch(1);
    setCentralWidget(central);

    // Status bar: server and connection state.
    m_statusServer = new QLabel(this);
    m_statusServer->setObjectName(QStringLiteral("statusServerLabel"));
    m_statusConnection = new QLabel(this);
    m_statusConnection->setObjectName(QStringLiteral("statusConnectionLabel"));
    m_statusConnection->setContentsMargins(8, 0, 8, 0);
    statusBar()->addWidget(m_statusServer, 1);
    statusBar()->addPermanentWidget(m_statusConnection);

    setTabOrder(m_urlEdit, m_connectButton);
    setTabOrder(m_connectButton, m_retryButton);
    updateCardColours();
}

const char *ServerStatusWindow::kDefaultPlaceholder() {
    return "https://tenantry.example.com";
}

void ServerStatusWindow::refresh() {
    m_probe->probeNow();
}

void ServerStatusWindow::applyServerField() {
    const QUrl url = client::ApiClient::parseServerUrl(m_urlEdit->text());
    if (!url.isValid()) {
        m_urlError->setText(tr("Enter an address that starts with http:// or https://, for "
                               "example %1.")
                                .arg(QString::fromLatin1(kDefaultPlaceholder())));
        m_urlError->show();
        m_urlEdit->setFocus(Qt::OtherFocusReason);
        return;
    }
    m_urlError->hide();
    m_urlEdit->setText(url.toDisplayString());
    m_client->setBaseUrl(url);
    m_statusServer->setText(url.toDisplayString());
    m_probe->stop();
    showStatus(ServerStatus{});
    m_probe->start();
}

void ServerStatusWindow::setValue(QLabel *label, const QString &text) {
    label->setText(text);
    label->setAccessibleDescription(text);
}

void ServerStatusWindow::showChecking() {
    m_statusConnection->setText(tr("Checking…"));
    m_retryButton->setEnabled(false);
    m_connectButton->setEnabled(false);
}

void ServerStatusWindow::showStatus(const ServerStatus &status) {
    m_retryButton->setEnabled(true);
    m_connectButton->setEnabled(true);
    const QString label = ServerStatus::stateLabel(status.state);
    m_stateLabel->setText(label);
    m_stateLabel->setAccessibleName(tr("Server state: %1").arg(label));
    m_summaryLabel->setText(status.summary());
    m_card->setProperty("state", int(status.state));

    const QString dash = QStringLiteral("—");
    const bool answered = status.state != State::Unknown && status.state != State::Unreachable;
    if (status.state == State::Unknown)
        setValue(m_reachabilityValue, dash);
    else
        setValue(m_reachabilityValue, answered ? tr("Reachable") : tr("Not reachable"));
    switch (status.state) {
    case State::Ready:
        setValue(m_readinessValue, tr("Ready"));
        break;
    case State::NotReady:
        setValue(m_readinessValue, status.detail.isEmpty()
                                       ? tr("Not ready")
                                       : tr("Not ready: %1").arg(status.detail));
        break;
    case State::Starting:
        setValue(m_readinessValue, tr("Starting"));
        break;
    default:
        setValue(m_readinessValue, dash);
    }
    setValue(m_schemaValue,
             status.schemaVersion >= 0 ? QLocale().toString(status.schemaVersion) : dash);
    setValue(m_latencyValue,
             status.latencyMs >= 0 ? tr("%1 ms").arg(QLocale().toString(status.latencyMs)) : dash);
    setValue(m_checkedValue, status.checkedAt.isValid()
                                 ? QLocale().toString(status.checkedAt.toLocalTime().time(),
                                                      QStringLiteral("HH:mm:ss"))
                                 : dash);

    const bool problem = status.state == State::Unreachable ||
                         status.state == State::Incompatible || status.state == State::NotReady ||
                         status.state == State::Starting;
    if (problem) {
        m_errorLabel->setText(status.summary());
        if (status.error)
            m_errorLabel->setToolTip(status.error->technicalDetail());
        if (status.nextCheckInMs >= 0 && status.checkedAt.isValid())
            m_errorNextLabel->setText(
                tr("The console checks again automatically at %1.")
                    .arg(QLocale().toString(
                        status.checkedAt.addMSecs(status.nextCheckInMs).toLocalTime().time(),
                        QStringLiteral("HH:mm:ss"))));
        else
            m_errorNextLabel->clear();
        m_errorNextLabel->setVisible(!m_errorNextLabel->text().isEmpty());
        m_errorPanel->setAccessibleDescription(m_errorLabel->text());
    }
    m_errorPanel->setVisible(problem);
    // For problems the inline error already says it; the card keeps the figures.
    m_summaryLabel->setVisible(!problem);

    switch (status.state) {
    case State::Unknown:
        m_statusConnection->setText(tr("Checking…"));
        break;
    case State::Ready:
        m_statusConnection->setText(tr("Connected · %1 ms").arg(status.latencyMs));
        break;
    default:
        m_statusConnection->setText(label);
    }
    updateCardColours();
}

void ServerStatusWindow::updateCardColours() {
    QPalette dotPalette = m_stateDot->palette();
    const auto state = State(m_card->property("state").toInt());
    const QColor colour = stateColour(state, palette());
    // Inside the card (background role Base) a label draws with Text, elsewhere WindowText.
    dotPalette.setColor(QPalette::WindowText, colour);
    dotPalette.setColor(QPalette::Text, colour);
    m_stateDot->setPalette(dotPalette);
}

void ServerStatusWindow::changeEvent(QEvent *event) {
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        updateCardColours();
}

} // namespace tenantry
