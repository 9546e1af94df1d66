// SPDX-License-Identifier: GPL-3.0-or-later
// The Prometheus registry: exact exposition text, escaping, the cardinality cap, misuse that must
// be dropped rather than corrupt the page, and a concurrency smoke test.
#include "core/Metrics.h"

#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace tenantry;

namespace {

using Labels = QList<QPair<QString, QString>>;

QPair<QString, QString> label(const char *name, const QString &value) {
    return {QString::fromLatin1(name), value};
}

QPair<QString, QString> label(const char *name, const char *value) {
    return label(name, QString::fromUtf8(value));
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { Metrics::instance().reset(); }

    void exactText() {
        Metrics &m = Metrics::instance();
        m.defineCounter(QStringLiteral("http_requests_total"), QStringLiteral("Requests served."));
        m.incrementCounter(QStringLiteral("http_requests_total"),
                           {label("tenant", "t1"), label("method", "GET")});
        // Same label set in another order: the same series.
        m.incrementCounter(QStringLiteral("http_requests_total"),
                           {label("method", "GET"), label("tenant", "t1")}, 2);
        m.incrementCounter(QStringLiteral("http_requests_total"),
                           {label("tenant", "t2"), label("method", "POST")}, 0.5);
        m.defineGauge(QStringLiteral("tenantry_tenants"), QStringLiteral("Tenants provisioned."));
        m.setGauge(QStringLiteral("tenantry_tenants"), {}, 3);
        m.setGauge(QStringLiteral("tenantry_tenants"), {}, 2);
        // Unsorted, duplicated and +Inf bounds are normalised.
        m.defineHistogram(QStringLiteral("http_request_duration_seconds"),
                          QStringLiteral("Latency.\nIn seconds \\ wall clock."),
                          {0.5, 0.125, 1, 0.125, qInf()});
        for (const double v : {0.0625, 0.125, 0.25, 2.0})
            m.observe(QStringLiteral("http_request_duration_seconds"), {label("route", "/x")}, v);
        // Defined but never used: not rendered.
        m.defineCounter(QStringLiteral("unused_total"), QStringLiteral("Nothing yet."));

        const QByteArray expected =
            "# HELP http_request_duration_seconds Latency.\\nIn seconds \\\\ wall clock.\n"
            "# TYPE http_request_duration_seconds histogram\n"
            "http_request_duration_seconds_bucket{route=\"/x\",le=\"0.125\"} 2\n"
            "http_request_duration_seconds_bucket{route=\"/x\",le=\"0.5\"} 3\n"
            "http_request_duration_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "http_request_duration_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "http_request_duration_seconds_sum{route=\"/x\"} 2.4375\n"
            "http_request_duration_seconds_count{route=\"/x\"} 4\n"
            "# HELP http_requests_total Requests served.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",tenant=\"t1\"} 3\n"
            "http_requests_total{method=\"POST\",tenant=\"t2\"} 0.5\n"
            "# HELP tenantry_tenants Tenants provisioned.\n"
            "# TYPE tenantry_tenants gauge\n"
            "tenantry_tenants 2\n";
        QCOMPARE(m.render(), expected);
        QCOMPARE(Metrics::contentType(), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    }

    void histogramWithoutLabelsAndDefaults() {
        Metrics m; // a registry of its own
        m.defineHistogram(QStringLiteral("h"), QString(), {1});
        m.observe(QStringLiteral("h"), {}, 1);
        m.observe(QStringLiteral("h"), {}, 5);
        m.observe(QStringLiteral("h"), {}, qQNaN()); // dropped: no bucket holds NaN
        QCOMPARE(m.render(), QByteArray("# TYPE h histogram\n"
                                        "h_bucket{le=\"1\"} 1\n"
                                        "h_bucket{le=\"+Inf\"} 2\n"
                                        "h_sum 6\n"
                                        "h_count 2\n"));
        // Used before being defined: the Prometheus default buckets.
        Metrics d;
        d.observe(QStringLiteral("d"), {}, 0.003);
        const QByteArray text = d.render();
        QVERIFY(text.contains("d_bucket{le=\"0.005\"} 1\n"));
        QVERIFY(text.contains("d_bucket{le=\"10\"} 1\n"));
        QCOMPARE(text.count("d_bucket{"), 12);
        QVERIFY(text.startsWith("# TYPE d histogram\n"));
    }

    void redefiningAHistogramWithSamplesKeepsItsBuckets() {
        Metrics m;
        m.defineHistogram(QStringLiteral("h"), QStringLiteral("one"), {1});
        m.observe(QStringLiteral("h"), {}, 0.5);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("buckets kept")));
        m.defineHistogram(QStringLiteral("h"), QStringLiteral("two"), {2, 3});
        m.observe(QStringLiteral("h"), {}, 2.5);
        QCOMPARE(m.render(), QByteArray("# HELP h two\n"
                                        "# TYPE h histogram\n"
                                        "h_bucket{le=\"1\"} 1\n"
                                        "h_bucket{le=\"+Inf\"} 2\n"
                                        "h_sum 3\n"
                                        "h_count 2\n"));
    }

    void valueFormatting() {
        Metrics m;
        m.setGauge(QStringLiteral("g"), {label("k", "big")}, 1e6);
        m.setGauge(QStringLiteral("g"), {label("k", "neg")}, -2.5);
        m.setGauge(QStringLiteral("g"), {label("k", "small")}, 1.5e-7);
        m.setGauge(QStringLiteral("g"), {label("k", "tenth")}, 0.1);
        m.setGauge(QStringLiteral("g"), {label("k", "inf")}, qInf());
        m.setGauge(QStringLiteral("g"), {label("k", "nan")}, qQNaN());
        QCOMPARE(m.render(), QByteArray("# TYPE g gauge\n"
                                        "g{k=\"big\"} 1000000\n"
                                        "g{k=\"inf\"} +Inf\n"
                                        "g{k=\"nan\"} NaN\n"
                                        "g{k=\"neg\"} -2.5\n"
                                        "g{k=\"small\"} 1.5e-07\n"
                                        "g{k=\"tenth\"} 0.1\n"));
    }

    void labelEscaping() {
        Metrics &m = Metrics::instance();
        m.defineCounter(QStringLiteral("c_total"), QStringLiteral("Escapes."));
        m.incrementCounter(QStringLiteral("c_total"),
                           {label("v", QStringLiteral("a\"b\\c\nd")), label("u", "caf\xc3\xa9")});
        QCOMPARE(m.render(), QByteArray("# HELP c_total Escapes.\n"
                                        "# TYPE c_total counter\n"
                                        "c_total{u=\"caf\xc3\xa9\",v=\"a\\\"b\\\\c\\nd\"} 1\n"));
    }

    void cardinalityCapFoldsIntoOther() {
        Metrics &m = Metrics::instance();
        m.setMaxSeries(3);
        for (int i = 0; i < 10; ++i) {
            m.incrementCounter(QStringLiteral("req_total"),
                               {label("tenant", QString::number(i)), label("route", "/p")});
        }
        // Series admitted before the cap keep counting.
        m.incrementCounter(QStringLiteral("req_total"),
                           {label("tenant", "0"), label("route", "/p")}, 5);
        // The cap is per metric.
        m.setGauge(QStringLiteral("other_metric"), {label("tenant", "9")}, 1);
        QCOMPARE(m.render(), QByteArray("# TYPE other_metric gauge\n"
                                        "other_metric{tenant=\"9\"} 1\n"
                                        "# TYPE req_total counter\n"
                                        "req_total{route=\"/p\",tenant=\"0\"} 6\n"
                                        "req_total{route=\"/p\",tenant=\"1\"} 1\n"
                                        "req_total{route=\"/p\",tenant=\"2\"} 1\n"
                                        "req_total{route=\"other\",tenant=\"other\"} 7\n"));
        // Thousands more distinct values add no series.
        for (int i = 0; i < 5000; ++i)
            m.incrementCounter(QStringLiteral("req_total"),
                               {label("tenant", QString::number(i + 100)), label("route", "/p")});
        const QByteArray text = m.render();
        QCOMPARE(text.count("req_total{"), 4);
        QVERIFY(text.contains("req_total{route=\"other\",tenant=\"other\"} 5007\n"));
        // Histograms fold the same way.
        m.defineHistogram(QStringLiteral("lat"), QString(), {1});
        for (int i = 0; i < 6; ++i)
            m.observe(QStringLiteral("lat"), {label("tenant", QString::number(i))}, 0.5);
        const QByteArray hist = m.render();
        QVERIFY(hist.contains("lat_count{tenant=\"other\"} 3\n"));
        QVERIFY(hist.contains("lat_bucket{tenant=\"other\",le=\"1\"} 3\n"));
        QCOMPARE(hist.count("lat_count{"), 4);
    }

    void misuseIsDropped() {
        Metrics &m = Metrics::instance();
        m.defineCounter(QStringLiteral("ok_total"), QStringLiteral("Fine."));
        m.incrementCounter(QStringLiteral("ok_total"), {});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("counters only go up")));
        m.incrementCounter(QStringLiteral("ok_total"), {}, -1);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("counters only go up")));
        m.incrementCounter(QStringLiteral("ok_total"), {}, qQNaN());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not a gauge")));
        m.setGauge(QStringLiteral("ok_total"), {}, 100);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid metric name")));
        m.incrementCounter(QStringLiteral("bad-name"), {});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid metric name")));
        m.defineGauge(QStringLiteral("1starts_with_digit"), QString());
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid or repeated label")));
        m.incrementCounter(QStringLiteral("ok_total"), {label("bad-label", "x")});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid or repeated label")));
        m.incrementCounter(QStringLiteral("ok_total"), {label("__name__", "x")});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid or repeated label")));
        m.incrementCounter(QStringLiteral("ok_total"), {label("a", "1"), label("a", "2")});
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("invalid or repeated label")));
        m.observe(QStringLiteral("h"), {label("le", "1")}, 1);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("redefined as gauge")));
        m.defineGauge(QStringLiteral("ok_total"), QStringLiteral("No."));
        // Not used before (the h family above exists but has no series), so no output for it.
        QCOMPARE(m.render(), QByteArray("# HELP ok_total Fine.\n"
                                        "# TYPE ok_total counter\n"
                                        "ok_total 1\n"));
    }

    void resetForgetsEverything() {
        Metrics &m = Metrics::instance();
        m.setMaxSeries(1);
        m.incrementCounter(QStringLiteral("x_total"), {label("a", "1")});
        QVERIFY(!m.render().isEmpty());
        m.reset();
        QVERIFY(m.render().isEmpty());
        // The default cap is back: two label sets are two series.
        m.incrementCounter(QStringLiteral("x_total"), {label("a", "1")});
        m.incrementCounter(QStringLiteral("x_total"), {label("a", "2")});
        QCOMPARE(m.render(), QByteArray("# TYPE x_total counter\n"
                                        "x_total{a=\"1\"} 1\n"
                                        "x_total{a=\"2\"} 1\n"));
    }

    void threadSafetySmoke() {
        Metrics &m = Metrics::instance();
        m.defineCounter(QStringLiteral("hits_total"), QStringLiteral("Hits."));
        m.defineHistogram(QStringLiteral("lat_seconds"), QStringLiteral("Latency."), {0.5});
        constexpr int kThreads = 4;
        constexpr int kIterations = 10000;
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back(QThread::create([&m, t] {
                for (int i = 0; i < kIterations; ++i) {
                    m.incrementCounter(QStringLiteral("hits_total"),
                                       {label("tenant", QString::number(i % 8))});
                    m.observe(QStringLiteral("lat_seconds"), {}, (i + t) % 2 ? 0.25 : 1.0);
                    m.setGauge(QStringLiteral("last"), {label("thread", QString::number(t))}, i);
                    if (i % 1000 == 0)
                        (void)m.render(); // scrapes while writers run
                }
            }));
        }
        for (auto &thread : threads)
            thread->start();
        for (auto &thread : threads)
            QVERIFY(thread->wait(60000));
        const QByteArray text = m.render();
        for (int tenant = 0; tenant < 8; ++tenant) {
            const QByteArray line = "hits_total{tenant=\"" + QByteArray::number(tenant) + "\"} " +
                                    QByteArray::number(kThreads * kIterations / 8) + '\n';
            QVERIFY2(text.contains(line), text.constData());
        }
        QVERIFY(text.contains(
            QByteArray("lat_seconds_count " + QByteArray::number(kThreads * kIterations) + '\n')));
        QVERIFY(text.contains(QByteArray("lat_seconds_bucket{le=\"0.5\"} " +
                                         QByteArray::number(kThreads * kIterations / 2) + '\n')));
        QVERIFY(text.contains("lat_seconds_sum 25000\n"));
        for (int t = 0; t < kThreads; ++t)
            QVERIFY(
                text.contains(QByteArray("last{thread=\"" + QByteArray::number(t) + "\"} 9999\n")));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
