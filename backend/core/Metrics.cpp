// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Metrics.h"

#include <QLocale>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace tenantry {

Q_LOGGING_CATEGORY(lcMetrics, "tenantry.metrics")

namespace {

// The Prometheus client default, for a histogram used before it is defined.
QList<double> defaultBuckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

const char *typeName(int type) {
    static const char *const names[] = {"counter", "gauge", "histogram"};
    return names[type];
}

// Go's strconv 'g' -1 is what Prometheus clients print; whole numbers are printed without an
// exponent so a counter reads 1000000, not 1e+06.
QByteArray formatValue(double v) {
    if (std::isnan(v))
        return QByteArrayLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0)
        return QByteArray::number(qint64(v));
    return QByteArray::number(v, 'g', QLocale::FloatingPointShortest);
}

QByteArray escapeLabelValue(const QString &value) {
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '"')
            out.append("\\\"");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray escapeHelp(const QString &help) {
    QByteArray out;
    const QByteArray utf8 = help.toUtf8();
    for (const char c : utf8) {
        if (c == '\\')
            out.append("\\\\");
        else if (c == '\n')
            out.append("\\n");
        else
            out.append(c);
    }
    return out;
}

QByteArray renderPairs(const QStringList &names, const QStringList &values) {
    QByteArray out;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            out.append(',');
        out.append(names.at(i).toUtf8());
        out.append("=\"");
        out.append(escapeLabelValue(values.at(i)));
        out.append('"');
    }
    return out;
}

// `pairs` rendered and `extra` (the le pair of a bucket) appended, in braces; nothing at all
// for a series without labels.
QByteArray braces(const QByteArray &pairs, const QByteArray &extra = {}) {
    if (pairs.isEmpty() && extra.isEmpty())
        return {};
    QByteArray out = "{" + pairs;
    if (!pairs.isEmpty() && !extra.isEmpty())
        out.append(',');
    out.append(extra);
    out.append('}');
    return out;
}

} // namespace

Metrics::Metrics() = default;

Metrics &Metrics::instance() {
    static Metrics metrics;
    return metrics;
}

QByteArray Metrics::contentType() {
    return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
}

bool Metrics::isValidMetricName(const QString &name) {
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    return pattern.match(name).hasMatch();
}

bool Metrics::isValidLabelName(const QString &name) {
    // Names starting with "__" are reserved for Prometheus itself.
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    return pattern.match(name).hasMatch() && !name.startsWith(u"__");
}

void Metrics::define(const QString &name, const QString &help, Type type,
                     const QList<double> *bounds) {
    if (!isValidMetricName(name)) {
        qCWarning(lcMetrics, "invalid metric name %s", qPrintable(name));
        return;
    }
    QList<double> sorted;
    if (bounds) {
        for (const double b : *bounds) {
            if (std::isfinite(b))
                sorted.append(b);
        }
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    }
    QMutexLocker lock(&m_mutex);
    auto it = m_families.find(name);
    if (it == m_families.end()) {
        Family f;
        f.type = type;
        f.help = help;
        f.bounds = sorted;
        m_families.insert(name, f);
        return;
    }
    if (it->type != type) {
        qCWarning(lcMetrics, "metric %s redefined as %s, was %s; ignored", qPrintable(name),
                  typeName(int(type)), typeName(int(it->type)));
        return;
    }
    it->help = help;
    if (bounds && it->bounds != sorted) {
        if (it->series.isEmpty())
            it->bounds = sorted;
        else
            qCWarning(lcMetrics, "histogram %s already has samples; buckets kept",
                      qPrintable(name));
    }
}

void Metrics::defineCounter(const QString &name, const QString &help) {
    define(name, help, Type::Counter, nullptr);
}

void Metrics::defineGauge(const QString &name, const QString &help) {
    define(name, help, Type::Gauge, nullptr);
}

void Metrics::defineHistogram(const QString &name, const QString &help,
                              const QList<double> &buckets) {
    define(name, help, Type::Histogram, &buckets);
}

Metrics::Family *Metrics::family(const QString &name, Type type) {
    auto it = m_families.find(name);
    if (it == m_families.end()) {
        if (!isValidMetricName(name)) {
            qCWarning(lcMetrics, "invalid metric name %s", qPrintable(name));
            return nullptr;
        }
        Family f;
        f.type = type;
        if (type == Type::Histogram)
            f.bounds = defaultBuckets();
        it = m_families.insert(name, f);
    } else if (it->type != type) {
        qCWarning(lcMetrics, "metric %s is a %s, not a %s; sample dropped", qPrintable(name),
                  typeName(int(it->type)), typeName(int(type)));
        return nullptr;
    }
    return &*it;
}

Metrics::Series *Metrics::series(Family &f, const QString &name,
                                 const QList<QPair<QString, QString>> &labels) {
    QList<QPair<QString, QString>> sorted = labels;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList names;
    QStringList values;
    for (const auto &[label, value] : std::as_const(sorted)) {
        const bool reserved = f.type == Type::Histogram && label == u"le";
        if (!isValidLabelName(label) || reserved || (!names.isEmpty() && names.last() == label)) {
            qCWarning(lcMetrics, "metric %s: invalid or repeated label %s; sample dropped",
                      qPrintable(name), qPrintable(label));
            return nullptr;
        }
        names.append(label);
        values.append(value);
    }

    QByteArray key = renderPairs(names, values);
    auto it = f.series.find(key);
    if (it != f.series.end())
        return &*it;
    bool overflow = false;
    if (f.regular >= m_maxSeries) {
        // Over the cap: count it under label values that say "something else" rather than drop
        // it, so sums over the metric stay right.
        overflow = true;
        key = renderPairs(names, QStringList(names.size(), QStringLiteral("other")));
        it = f.series.find(key);
        if (it != f.series.end())
            return &*it;
    }
    Series s;
    s.overflow = overflow;
    if (f.type == Type::Histogram)
        s.bucketCounts = QList<quint64>(f.bounds.size(), 0);
    if (!overflow)
        ++f.regular;
    return &*f.series.insert(key, s);
}

void Metrics::incrementCounter(const QString &name, const QList<QPair<QString, QString>> &labels,
                               double by) {
    if (!(by >= 0) || std::isinf(by)) {
        qCWarning(lcMetrics, "counter %s: increment %g dropped (counters only go up)",
                  qPrintable(name), by);
        return;
    }
    QMutexLocker lock(&m_mutex);
    Family *f = family(name, Type::Counter);
    if (!f)
        return;
    if (Series *s = series(*f, name, labels))
        s->value += by;
}

void Metrics::setGauge(const QString &name, const QList<QPair<QString, QString>> &labels,
                       double value) {
    QMutexLocker lock(&m_mutex);
    Family *f = family(name, Type::Gauge);
    if (!f)
        return;
    if (Series *s = series(*f, name, labels))
        s->value = value;
}

void Metrics::observe(const QString &histogram, const QList<QPair<QString, QString>> &labels,
                      double value) {
    if (std::isnan(value))
        return; // no bucket can hold it, and it would poison _sum
    QMutexLocker lock(&m_mutex);
    Family *f = family(histogram, Type::Histogram);
    if (!f)
        return;
    Series *s = series(*f, histogram, labels);
    if (!s)
        return;
    // le is "less than or equal", so the first bound >= value; past the last bound only the
    // implicit +Inf bucket (which is _count) holds it.
    const auto bound = std::lower_bound(f->bounds.cbegin(), f->bounds.cend(), value);
    if (bound != f->bounds.cend())
        ++s->bucketCounts[bound - f->bounds.cbegin()];
    s->sum += value;
    ++s->count;
}

void Metrics::setMaxSeries(int maxSeries) {
    QMutexLocker lock(&m_mutex);
    m_maxSeries = std::max(maxSeries, 1);
}

QByteArray Metrics::render() const {
    QMutexLocker lock(&m_mutex);
    QByteArray out;
    for (auto f = m_families.cbegin(); f != m_families.cend(); ++f) {
        if (f->series.isEmpty())
            continue;
        const QByteArray name = f.key().toUtf8();
        if (!f->help.isEmpty())
            out += "# HELP " + name + ' ' + escapeHelp(f->help) + '\n';
        out += "# TYPE " + name + ' ' + typeName(int(f->type)) + '\n';
        for (auto s = f->series.cbegin(); s != f->series.cend(); ++s) {
            if (f->type != Type::Histogram) {
                out += name + braces(s.key()) + ' ' + formatValue(s->value) + '\n';
                continue;
            }
            quint64 cumulative = 0;
            for (qsizetype i = 0; i < f->bounds.size(); ++i) {
                cumulative += s->bucketCounts.at(i);
                out += name + "_bucket" +
                       braces(s.key(), "le=\"" + formatValue(f->bounds.at(i)) + '"') + ' ' +
                       QByteArray::number(cumulative) + '\n';
            }
            out += name + "_bucket" + braces(s.key(), QByteArrayLiteral("le=\"+Inf\"")) + ' ' +
                   QByteArray::number(s->count) + '\n';
            out += name + "_sum" + braces(s.key()) + ' ' + formatValue(s->sum) + '\n';
            out += name + "_count" + braces(s.key()) + ' ' + QByteArray::number(s->count) + '\n';
        }
    }
    return out;
}

void Metrics::reset() {
    QMutexLocker lock(&m_mutex);
    m_families.clear();
    m_maxSeries = kDefaultMaxSeries;
}

} // namespace tenantry
