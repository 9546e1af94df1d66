// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QStringList>

namespace tenantry {

// A small Prometheus registry, rendered in the text exposition format 0.0.4 for GET /metrics.
// Thread-safe (one mutex; an update is a map lookup and an add). Label values come from
// requests (tenant ids, routes), so each metric keeps at most maxSeries label sets and folds the
// rest into one series whose values are all "other": memory and scrape size stay bounded, and
// the totals stay right. Misuse (bad names, a counter used as a gauge, a negative increment) is
// logged and the sample dropped: metrics must never take a request down.
class Metrics {
public:
    static constexpr int kDefaultMaxSeries = 1000;

    // Public so a component or a test can keep a registry of its own; the server uses instance().
    Metrics();
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    static Metrics &instance();
    // The Content-Type of render()'s output.
    static QByteArray contentType();

    // Label order does not matter: {a,b} and {b,a} are one series (rendered sorted by name). A
    // metric used before it is defined is defined then, without help text (histograms with the
    // Prometheus default buckets).
    void incrementCounter(const QString &name, const QList<QPair<QString, QString>> &labels,
                          double by = 1);
    void observe(const QString &histogram, const QList<QPair<QString, QString>> &labels,
                 double value); // buckets set by defineHistogram
    void setGauge(const QString &name, const QList<QPair<QString, QString>> &labels, double value);
    void defineCounter(const QString &name, const QString &help);
    void defineGauge(const QString &name, const QString &help);
    // Upper bounds, sorted and de-duplicated here; +Inf is implicit. Redefining a histogram
    // that already has samples keeps its buckets, since counts cannot be re-bucketed.
    void defineHistogram(const QString &name, const QString &help, const QList<double> &buckets);
    // Per metric at most `maxSeries` distinct label sets; beyond that, new label sets are folded
    // into one series whose label values are all "other". Series already held are kept.
    void setMaxSeries(int maxSeries);
    // # HELP (when there is help text) and # TYPE lines, then the samples; metrics sorted by
    // name and series by labels, so the output is stable. Metrics without any series are left
    // out: pass by = 0 to make a counter appear at 0.
    QByteArray render() const;
    void reset(); // for tests: forgets every metric and restores the default maxSeries

    static bool isValidMetricName(const QString &name);
    static bool isValidLabelName(const QString &name);

private:
    enum class Type { Counter, Gauge, Histogram };
    struct Series {
        double value = 0;
        QList<quint64> bucketCounts; // per bucket, not cumulative
        double sum = 0;
        quint64 count = 0;
        bool overflow = false;
    };
    struct Family {
        Type type = Type::Counter;
        QString help;
        QList<double> bounds;
        QMap<QByteArray, Series> series; // key: rendered label pairs, sorted by name
        qsizetype regular = 0;           // series that are not the "other" fold
    };

    Family *family(const QString &name, Type type);
    void define(const QString &name, const QString &help, Type type, const QList<double> *bounds);
    Series *series(Family &f, const QString &name, const QList<QPair<QString, QString>> &labels);

    mutable QMutex m_mutex;
    QMap<QString, Family> m_families;
    int m_maxSeries = kDefaultMaxSeries;
};

} // namespace tenantry
