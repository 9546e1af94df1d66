// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/ServerCommandLine.h"

#include "core/DatabaseBootstrap.h"
#include "core/SigningKeyStore.h"
#include "core/SqlSupport.h"
#include "core/StructuredLog.h"
#include "core/TenantProvisioner.h"
#include "core/TenantRegistry.h"
#include "core/ThreadDatabase.h"
#include "core/UsageCounter.h"
#include "http/HttpService.h"
#include "http/ServerContext.h"
#include "http/ServerRoutes.h"
#include "http/SignalWatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <tuple>

namespace tenantry {

Q_LOGGING_CATEGORY(lcServer, "tenantry.server")

namespace {

struct UsageError {
    QString message;
};

void out(const QString &text) {
    const QByteArray bytes = text.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

int usage(const QString &message) {
    const QByteArray bytes =
        "tenantry-server: " + message.toUtf8() + " (see tenantry-server --help)\n";
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    return 2;
}

int failed(const QString &message) {
    const QByteArray bytes = "tenantry-server: " + message.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    return 1;
}

// Option value from the command line, else the environment, else the config file, else `def`.
class Settings {
public:
    Settings(const QCommandLineParser &p, QJsonObject config)
        : m_parser(p)
        , m_config(std::move(config)) {}
    QString get(const QString &option, const char *env, const QString &def = {}) const {
        if (m_parser.isSet(option))
            return m_parser.value(option);
        if (env && qEnvironmentVariableIsSet(env))
            return qEnvironmentVariable(env);
        const QJsonValue v = m_config.value(option);
        if (v.isString())
            return v.toString();
        return def;
    }

private:
    const QCommandLineParser &m_parser;
    QJsonObject m_config;
};

QString defaultDataDir() {
    QString base = qEnvironmentVariable("XDG_DATA_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/tenantry");
}

const QSet<QString> kCommon = {QStringLiteral("database-url"),
                               QStringLiteral("runtime-database-url"),
                               QStringLiteral("data-dir"),
                               QStringLiteral("config"),
                               QStringLiteral("log-format"),
                               QStringLiteral("public-url"),
                               QStringLiteral("smtp-url"),
                               QStringLiteral("smtp-from"),
                               QStringLiteral("allow-private-webhooks"),
                               QStringLiteral("key-encryption-key")};

int runServe(const Settings &s, DatabaseBootstrap::Options dbOptions, const QString &kekText);
int runKeysRotate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions,
                  const QString &kekText);
int runOperatorCreate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions);
int runMigrate(DatabaseBootstrap::Options dbOptions);
int runTenantCreate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions);
int runTenantList(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions);
int runTenantUpdate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions);

} // namespace

int ServerCommandLine::run(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tenantry-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TENANTRY_VERSION));

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Tenantry backend.\n\nCommands:\n"
        "  serve (default)   run the API\n"
        "  migrate           upgrade the control schema and every tenant schema\n"
        "  tenant create     provision a tenant (idempotent on slug)\n"
        "  tenant list       list tenants\n"
        "  tenant update     change a tenant's status or rate limits at runtime\n"
        "  keys rotate       make a new token signing key current\n"
        "  operator create   create a support operator (cross-tenant staff account)"));
    p.addHelpOption();
    p.addVersionOption();
    p.addPositionalArgument(QStringLiteral("command"), QStringLiteral("serve | migrate | tenant"));
    p.addOptions({
        {QStringLiteral("database-url"),
         QStringLiteral("Administrative PostgreSQL URL (default: "
                        "embedded cluster in the data dir)."),
         QStringLiteral("URL")},
        {QStringLiteral("runtime-database-url"),
         QStringLiteral("Operator-supplied runtime role URL."), QStringLiteral("URL")},
        {QStringLiteral("data-dir"), QStringLiteral("Data directory."), QStringLiteral("DIR")},
        {QStringLiteral("config"), QStringLiteral("JSON config file."), QStringLiteral("FILE")},
        {QStringLiteral("log-format"), QStringLiteral("json or text."), QStringLiteral("FORMAT")},
        {QStringLiteral("public-url"), QStringLiteral("Base of links in e-mails."),
         QStringLiteral("URL")},
        {QStringLiteral("smtp-url"), QStringLiteral("SMTP server URL."), QStringLiteral("URL")},
        {QStringLiteral("smtp-from"), QStringLiteral("Sender address."), QStringLiteral("ADDR")},
        {QStringLiteral("allow-private-webhooks"),
         QStringLiteral("Allow webhook targets on private addresses.")},
        {QStringLiteral("listen"), QStringLiteral("HOST:PORT (default 127.0.0.1:8080)."),
         QStringLiteral("HOST:PORT")},
        {QStringLiteral("workers"), QStringLiteral("Worker threads (default: cores)."),
         QStringLiteral("N")},
        {QStringLiteral("tls-cert"), QStringLiteral("TLS certificate (PEM)."), QStringLiteral("F")},
        {QStringLiteral("tls-key"), QStringLiteral("TLS private key (PEM)."), QStringLiteral("F")},
        {QStringLiteral("name"), QStringLiteral("Tenant name."), QStringLiteral("NAME")},
        {QStringLiteral("slug"), QStringLiteral("Tenant slug."), QStringLiteral("SLUG")},
        {QStringLiteral("tier"), QStringLiteral("standard or enterprise."), QStringLiteral("TIER")},
        {QStringLiteral("region"), QStringLiteral("Region label."), QStringLiteral("REGION")},
        {QStringLiteral("owner-email"), QStringLiteral("First owner's e-mail."),
         QStringLiteral("E")},
        {QStringLiteral("owner-password"), QStringLiteral("First owner's password."),
         QStringLiteral("P")},
        {QStringLiteral("json"), QStringLiteral("JSON output.")},
        {QStringLiteral("key-encryption-key"),
         QStringLiteral("Base64 32-byte key sealing secrets at rest (default: <data-dir>/kek)."),
         QStringLiteral("KEY")},
        {QStringLiteral("alg"),
         QStringLiteral("Signing algorithm for keys rotate: ES256 or EdDSA."),
         QStringLiteral("ALG")},
        {QStringLiteral("email"), QStringLiteral("Operator e-mail."), QStringLiteral("E")},
        {QStringLiteral("tenant"), QStringLiteral("Tenant id or slug (tenant update)."),
         QStringLiteral("T")},
        {QStringLiteral("status"), QStringLiteral("active, locked, suspended or offboarded."),
         QStringLiteral("S")},
        {QStringLiteral("rate-limit-rps"),
         QStringLiteral("Requests/s sustained (0 = tier default)."), QStringLiteral("N")},
        {QStringLiteral("rate-limit-burst"), QStringLiteral("Burst size (0 = tier default)."),
         QStringLiteral("N")},
        {QStringLiteral("password"), QStringLiteral("Operator password."), QStringLiteral("P")},
    });
    if (!p.parse(QCoreApplication::arguments()))
        return usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return 0;
    }
    if (p.isSet(QStringLiteral("version"))) {
        out(QStringLiteral("tenantry-server " TENANTRY_VERSION));
        return 0;
    }

    const QStringList args = p.positionalArguments();
    const QString command = args.value(0, QStringLiteral("serve"));
    QString sub;
    QSet<QString> allowed = kCommon;
    int expectedArgs = 1;
    if (command == u"serve") {
        allowed += {QStringLiteral("listen"), QStringLiteral("workers"), QStringLiteral("tls-cert"),
                    QStringLiteral("tls-key")};
    } else if (command == u"migrate") {
    } else if (command == u"keys") {
        sub = args.value(1);
        expectedArgs = 2;
        if (sub != u"rotate")
            return usage(sub.isEmpty() ? QStringLiteral("keys needs a subcommand: rotate")
                                       : QStringLiteral("unknown keys subcommand \"%1\"").arg(sub));
        allowed += {QStringLiteral("alg")};
    } else if (command == u"operator") {
        sub = args.value(1);
        expectedArgs = 2;
        if (sub != u"create")
            return usage(sub.isEmpty()
                             ? QStringLiteral("operator needs a subcommand: create")
                             : QStringLiteral("unknown operator subcommand \"%1\"").arg(sub));
        allowed += {QStringLiteral("email"), QStringLiteral("password")};
    } else if (command == u"tenant") {
        sub = args.value(1);
        expectedArgs = 2;
        if (sub == u"create")
            allowed += {QStringLiteral("name"),        QStringLiteral("slug"),
                        QStringLiteral("tier"),        QStringLiteral("region"),
                        QStringLiteral("owner-email"), QStringLiteral("owner-password")};
        else if (sub == u"list")
            allowed += {QStringLiteral("json")};
        else if (sub == u"update")
            allowed += {QStringLiteral("tenant"), QStringLiteral("status"),
                        QStringLiteral("rate-limit-rps"), QStringLiteral("rate-limit-burst")};
        else
            return usage(sub.isEmpty()
                             ? QStringLiteral("tenant needs a subcommand: create, list or update")
                             : QStringLiteral("unknown tenant subcommand \"%1\"").arg(sub));
    } else {
        return usage(QStringLiteral("unknown command \"%1\"").arg(command));
    }
    if (args.size() > expectedArgs)
        return usage(QStringLiteral("unexpected argument \"%1\"").arg(args.at(expectedArgs)));
    const QStringList given = p.optionNames();
    for (const QString &name : given) {
        if (!allowed.contains(name))
            return usage(QStringLiteral("option --%1 does not apply to %2")
                             .arg(name, sub.isEmpty() ? command : command + u' ' + sub));
    }

    QJsonObject config;
    const QString configPath = p.isSet(QStringLiteral("config"))
                                   ? p.value(QStringLiteral("config"))
                                   : qEnvironmentVariable("TENANTRY_CONFIG");
    if (!configPath.isEmpty()) {
        QFile f(configPath);
        if (!f.open(QIODevice::ReadOnly))
            return usage(QStringLiteral("cannot read config file %1").arg(configPath));
        if (f.size() > 1024 * 1024)
            return usage(QStringLiteral("config file %1 is larger than 1 MiB").arg(configPath));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
        if (!doc.isObject())
            return usage(QStringLiteral("config file %1 is not a JSON object: %2")
                             .arg(configPath, pe.errorString()));
        config = doc.object();
    }
    const Settings s(p, config);

    StructuredLog::Format format = StructuredLog::defaultFormat();
    const QString formatText = s.get(QStringLiteral("log-format"), "TENANTRY_LOG_FORMAT");
    if (!formatText.isEmpty() && !StructuredLog::parseFormat(formatText, &format))
        return usage(QStringLiteral("--log-format must be json or text"));
    StructuredLog::install(format);

    DatabaseBootstrap::Options dbOptions;
    dbOptions.databaseUrl = s.get(QStringLiteral("database-url"), "TENANTRY_DATABASE_URL");
    dbOptions.runtimeDatabaseUrl =
        s.get(QStringLiteral("runtime-database-url"), "TENANTRY_RUNTIME_DATABASE_URL");
    dbOptions.dataDir = s.get(QStringLiteral("data-dir"), "TENANTRY_DATA_DIR", defaultDataDir());
    for (const QString &url : {dbOptions.databaseUrl, dbOptions.runtimeDatabaseUrl}) {
        QString urlError;
        if (!url.isEmpty() && !ConnectionSettings::fromUrl(url, &urlError))
            return usage(urlError);
    }

    const QString kekText =
        s.get(QStringLiteral("key-encryption-key"), "TENANTRY_KEY_ENCRYPTION_KEY");
    if (command == u"serve")
        return runServe(s, dbOptions, kekText);
    if (command == u"keys")
        return runKeysRotate(p, dbOptions, kekText);
    if (command == u"operator")
        return runOperatorCreate(p, dbOptions);
    if (command == u"migrate")
        return runMigrate(dbOptions);
    if (sub == u"create")
        return runTenantCreate(p, dbOptions);
    if (sub == u"update")
        return runTenantUpdate(p, dbOptions);
    return runTenantList(p, dbOptions);
}

namespace {

// Runs `work` on the admin connection acting as the owner role.
template <typename Fn> bool asOwner(DatabaseBootstrap &db, QString *error, Fn &&work) {
    QSqlDatabase admin = db.admin();
    if (!sql::exec(admin, QStringLiteral("SET ROLE ") + sql::quoteIdent(db.roles().owner), error))
        return false;
    const bool ok = work(admin);
    QString ignored;
    sql::exec(admin, QStringLiteral("RESET ROLE"), &ignored);
    return ok;
}

int runKeysRotate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions,
                  const QString &kekText) {
    SigningKey::Type type = SigningKey::Type::Es256;
    const QString alg = p.value(QStringLiteral("alg"));
    if (alg == u"EdDSA")
        type = SigningKey::Type::EdDsa;
    else if (!alg.isEmpty() && alg != u"ES256")
        return usage(QStringLiteral("--alg must be ES256 or EdDSA"));
    QString error;
    const auto kek = KeyEncryption::load(kekText, dbOptions.dataDir, &error);
    if (!kek)
        return failed(error);
    DatabaseBootstrap db;
    dbOptions.migrateTenants = false;
    if (!db.prepare(dbOptions, &error))
        return failed(error);
    std::optional<SigningKey> key;
    if (!asOwner(db, &error, [&](QSqlDatabase &admin) {
            key = SigningKeyStore::rotate(admin, *kek, type, &error);
            return key.has_value();
        }))
        return failed(QStringLiteral("cannot rotate keys: %1").arg(error));
    out(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("kid"), key->kid()},
                                                    {QStringLiteral("alg"), key->alg()}})
                              .toJson(QJsonDocument::Compact)));
    return 0;
}

int runOperatorCreate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions) {
    const QString email = p.value(QStringLiteral("email")).trimmed();
    const QString password = p.value(QStringLiteral("password"));
    if (!TenantSpec::isValidEmail(email))
        return usage(QStringLiteral("operator create needs --email with a valid address"));
    if (password.size() < 12 || password.size() > 256)
        return usage(QStringLiteral("operator password must be 12 to 256 characters"));
    QString error;
    DatabaseBootstrap db;
    dbOptions.migrateTenants = false;
    if (!db.prepare(dbOptions, &error))
        return failed(error);
    QString id;
    if (!asOwner(db, &error, [&](QSqlDatabase &admin) {
            return SupportSessions::createOperator(admin, email, password, &id, &error);
        }))
        return failed(QStringLiteral("cannot create operator: %1").arg(error));
    out(QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("email"), email}})
            .toJson(QJsonDocument::Compact)));
    return 0;
}

int runServe(const Settings &s, DatabaseBootstrap::Options dbOptions, const QString &kekText) {
    const QString listen =
        s.get(QStringLiteral("listen"), nullptr, QStringLiteral("127.0.0.1:8080"));
    const qsizetype colon = listen.lastIndexOf(u':');
    bool portOk = false;
    const int port = colon > 0 ? listen.mid(colon + 1).toInt(&portOk) : -1;
    QString host = colon > 0 ? listen.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host == u"localhost" ? QStringLiteral("127.0.0.1") : host);
    if (!portOk || port < 0 || port > 65535 || address.isNull())
        return usage(QStringLiteral("--listen must be HOST:PORT with a numeric address, e.g. "
                                    "127.0.0.1:8080"));
    int workers = QThread::idealThreadCount();
    const QString workersText = s.get(QStringLiteral("workers"), nullptr);
    if (!workersText.isEmpty()) {
        bool ok = false;
        workers = workersText.toInt(&ok);
        if (!ok || workers < 1 || workers > 256)
            return usage(QStringLiteral("--workers must be between 1 and 256"));
    }
    if (!s.get(QStringLiteral("tls-cert"), nullptr).isEmpty() ||
        !s.get(QStringLiteral("tls-key"), nullptr).isEmpty())
        return usage(QStringLiteral("TLS termination is not built in yet; run behind a reverse "
                                    "proxy (docs/runbooks/reverse-proxy.md)"));

    QString error;
    auto kek = KeyEncryption::load(kekText, dbOptions.dataDir, &error);
    if (!kek)
        return failed(error);
    DatabaseBootstrap db;
    if (!db.prepare(dbOptions, &error,
                    [](const QString &line) { qCInfo(lcServer).noquote() << line; }))
        return failed(error);
    if (!asOwner(db, &error, [&](QSqlDatabase &admin) {
            return SigningKeyStore::ensureCurrent(admin, *kek, &error);
        }))
        return failed(QStringLiteral("cannot prepare signing keys: %1").arg(error));
    db.closeAdmin(); // serve through the runtime role only

    ServerContext context;
    IdentityConfig identity;
    context.initIdentity(identity, *kek);
    // Load the keys once on this thread so the first request need not.
    const bool keysLoaded = [&] {
        const QString name = QStringLiteral("tenantry-startup");
        bool ok = false;
        {
            QSqlDatabase runtime = db.runtimeSettings().open(name, &error);
            ok = runtime.isOpen() && context.keys->reload(runtime, &error);
            runtime.close();
        }
        QSqlDatabase::removeDatabase(name);
        return ok;
    }();
    if (!keysLoaded) {
        db.shutdown();
        return failed(QStringLiteral("cannot load signing keys: %1").arg(error));
    }

    const auto router = ServerRoutes::build();

    const QString publicUrl = s.get(QStringLiteral("public-url"), "TENANTRY_PUBLIC_URL");
    HttpService service(router, HttpLimits{}, db.runtimeSettings(), &context);
    if (!service.start(address, quint16(port), workers, &error, [&](quint16 bound) {
            QString issuer = publicUrl;
            if (issuer.isEmpty())
                issuer = QStringLiteral("http://%1:%2")
                             .arg(address.protocol() == QAbstractSocket::IPv6Protocol
                                      ? u'[' + address.toString() + u']'
                                      : address.toString())
                             .arg(bound);
            while (issuer.endsWith(u'/'))
                issuer.chop(1);
            context.identity.issuer = issuer;
            context.finishIdentity();
        })) {
        db.shutdown();
        return failed(error);
    }
    const QString where = QStringLiteral("http://%1:%2")
                              .arg(address.protocol() == QAbstractSocket::IPv6Protocol
                                       ? u'[' + address.toString() + u']'
                                       : address.toString())
                              .arg(service.port());
    qCInfo(lcServer).noquote() << "serving" << where << "with" << workers << "worker(s)";
    out(QStringLiteral("tenantry-server: serving %1").arg(where));

    // Request counts per tenant reach the database every 10 s, not on every request.
    ThreadDatabase usageDb(db.runtimeSettings(), QStringLiteral("tenantry-usage"));
    auto flushUsage = [&usageDb] {
        int retry = 0;
        QString flushError;
        if (QSqlDatabase *conn = usageDb.acquire(&retry);
            conn && !UsageCounter::instance().flush(*conn, &flushError))
            usageDb.reportError(conn->lastError());
    };
    QTimer usageTimer;
    QObject::connect(&usageTimer, &QTimer::timeout, flushUsage);
    usageTimer.start(10000);

    SignalWatcher signals;
    int exitCode = 0;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, [&](int sig) {
        qCInfo(lcServer) << "signal" << sig << "- draining";
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    service.drain();
    usageTimer.stop();
    flushUsage();
    usageDb.close();
    db.shutdown();
    qCInfo(lcServer) << "stopped";
    return exitCode;
}

int runMigrate(DatabaseBootstrap::Options dbOptions) {
    DatabaseBootstrap db;
    QString error;
    if (!db.prepare(dbOptions, &error, [](const QString &line) { out(line); }))
        return failed(error);
    out(QStringLiteral("migrate: done (control version %1, tenant version %2)")
            .arg(Migrator::latestControlVersion())
            .arg(Migrator::latestTenantVersion()));
    return 0;
}

int runTenantCreate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions) {
    TenantSpec spec;
    spec.name = p.value(QStringLiteral("name"));
    if (!p.isSet(QStringLiteral("name")))
        return usage(QStringLiteral("tenant create needs --name"));
    spec.slug = p.value(QStringLiteral("slug"));
    if (p.isSet(QStringLiteral("tier")))
        spec.tier = p.value(QStringLiteral("tier"));
    if (p.isSet(QStringLiteral("region")))
        spec.region = p.value(QStringLiteral("region"));
    spec.ownerEmail = p.value(QStringLiteral("owner-email"));
    spec.ownerPassword = p.value(QStringLiteral("owner-password"));
    if (const auto problem = spec.normalise())
        return usage(*problem);

    DatabaseBootstrap db;
    QString error;
    dbOptions.migrateTenants = false; // provisioning needs the control schema only
    if (!db.prepare(dbOptions, &error))
        return failed(error);
    TenantProvisioner provisioner(db.admin(), db.roles());
    const auto result = provisioner.create(spec, &error);
    if (!result)
        return failed(QStringLiteral("cannot create tenant: %1").arg(error));
    QJsonObject o = result->tenant.toJson();
    o.insert(QStringLiteral("created"), result->created);
    if (!result->ownerUserId.isEmpty())
        o.insert(QStringLiteral("owner_user_id"), result->ownerUserId);
    out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    return 0;
}

int runTenantUpdate(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions) {
    const QString tenant = p.value(QStringLiteral("tenant"));
    if (tenant.isEmpty())
        return usage(QStringLiteral("tenant update needs --tenant ID-or-slug"));
    TenantProvisioner::Update u;
    u.status = p.value(QStringLiteral("status"));
    if (!u.status.isEmpty() && u.status != u"active" && u.status != u"locked" &&
        u.status != u"suspended" && u.status != u"offboarded")
        return usage(QStringLiteral("--status must be active, locked, suspended or offboarded"));
    for (auto [name, target, max] :
         {std::tuple{QStringLiteral("rate-limit-rps"), &u.rateLimitRps, 100000},
          std::tuple{QStringLiteral("rate-limit-burst"), &u.rateLimitBurst, 200000}}) {
        if (!p.isSet(name))
            continue;
        bool ok = false;
        *target = p.value(name).toInt(&ok);
        if (!ok || *target < 0 || *target > max)
            return usage(QStringLiteral("--%1 must be between 0 and %2").arg(name).arg(max));
    }
    if (u.status.isEmpty() && u.rateLimitRps < 0 && u.rateLimitBurst < 0)
        return usage(
            QStringLiteral("tenant update needs --status, --rate-limit-rps or --rate-limit-burst"));
    DatabaseBootstrap db;
    QString error;
    dbOptions.migrateTenants = false;
    if (!db.prepare(dbOptions, &error))
        return failed(error);
    TenantProvisioner provisioner(db.admin(), db.roles());
    const auto updated = provisioner.update(tenant, u, &error);
    if (!updated)
        return failed(QStringLiteral("cannot update tenant: %1").arg(error));
    QJsonObject o = updated->toJson();
    o.insert(QStringLiteral("rate_limit_rps"), updated->rateLimitRps);
    o.insert(QStringLiteral("rate_limit_burst"), updated->rateLimitBurst);
    out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    return 0;
}

int runTenantList(const QCommandLineParser &p, DatabaseBootstrap::Options dbOptions) {
    DatabaseBootstrap db;
    QString error;
    dbOptions.migrateTenants = false;
    if (!db.prepare(dbOptions, &error))
        return failed(error);
    TenantRegistry registry(db.admin());
    const QList<Tenant> tenants = registry.list(&error);
    if (!error.isEmpty())
        return failed(error);
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray a;
        for (const Tenant &t : tenants)
            a.append(t.toJson());
        out(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact)));
        return 0;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5")
            .arg(QStringLiteral("ID"), -36)
            .arg(QStringLiteral("SLUG"), -24)
            .arg(QStringLiteral("TIER"), -10)
            .arg(QStringLiteral("STATUS"), -10)
            .arg(QStringLiteral("NAME")));
    for (const Tenant &t : tenants)
        out(QStringLiteral("%1  %2  %3  %4  %5")
                .arg(t.id.toString(QUuid::WithoutBraces), -36)
                .arg(t.slug, -24)
                .arg(t.tier, -10)
                .arg(t.status, -10)
                .arg(t.name));
    return 0;
}

} // namespace
} // namespace tenantry
