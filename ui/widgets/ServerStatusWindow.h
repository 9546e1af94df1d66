// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ServerStatus.h"

#include <QMainWindow>
#include <QUrl>

class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;

namespace tenantry {

namespace client {
class ApiClient;
class ServerProbe;
} // namespace client

// The console's first screen until sign-in exists: which server, and is it there and ready.
class ServerStatusWindow : public QMainWindow {
    Q_OBJECT

public:
    explicit ServerStatusWindow(const QUrl &server, QWidget *parent = nullptr);
    ~ServerStatusWindow() override;

    client::ServerProbe *probe() const { return m_probe; }
    client::ApiClient *apiClient() const { return m_client; }

public Q_SLOTS:
    void refresh();

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void applyServerField();
    void showChecking();
    void showStatus(const client::ServerStatus &status);
    void updateCardColours();
    void setValue(QLabel *label, const QString &text);
    static const char *kDefaultPlaceholder();

    client::ApiClient *m_client = nullptr;
    client::ServerProbe *m_probe = nullptr;

    QLineEdit *m_urlEdit = nullptr;
    QLabel *m_urlError = nullptr;
    QPushButton *m_connectButton = nullptr;
    QFrame *m_errorPanel = nullptr;
    QLabel *m_errorIcon = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_errorNextLabel = nullptr;
    QPushButton *m_retryButton = nullptr;
    QFrame *m_card = nullptr;
    QLabel *m_stateDot = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_summaryLabel = nullptr;
    QLabel *m_reachabilityValue = nullptr;
    QLabel *m_readinessValue = nullptr;
    QLabel *m_schemaValue = nullptr;
    QLabel *m_latencyValue = nullptr;
    QLabel *m_checkedValue = nullptr;
    QLabel *m_statusServer = nullptr;
    QLabel *m_statusConnection = nullptr;
};

} // namespace tenantry
