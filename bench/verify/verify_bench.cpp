// SPDX-License-Identifier: GPL-3.0-or-later
// Token verification throughput on one core (issue 3). Not a test: bench/verify.sh builds and runs
// it next to `openssl speed`.
//
//   verify_bench [seconds-per-measurement]   (default 2)
//
// For ES256 and EdDSA: a realistic access token from TokenIssuer, then
//   verify     TokenVerifier::verify (length, split, strict base64url, strict JSON header and
//              payload, kid/alg, signature, claims) on the same token, i.e. the uncached path;
//   signature  SigningKey::verify on header.payload alone (what the verifier pays OpenSSL);
//   cached     what a per-worker verified-token cache would cost on a hit: SHA-256 of the whole
//              token (computed on every lookup, as a real cache must), a QHash<QByteArray,
//              QJsonObject> lookup among 1024 entries, a copy of the claims and the exp check;
//   cached-ossl the same with OpenSSL's SHA256() instead of QCryptographicHash (Qt 6.4 uses its
//              own portable SHA-256, OpenSSL uses SHA-NI/AVX2 where the CPU has them).
// Each measurement runs in 8 rounds interleaved with the others of its algorithm; it reports the
// mean over all rounds and the best round. Lines starting with "RESULT" are for the script
// ("RESULT alg kind mean-ops/s mean-us/op best-ops/s"); the rest is for people.

#include "core/SigningKey.h"
#include "core/TokenIssuer.h"
#include "core/TokenVerifier.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <openssl/sha.h>

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace tenantry;

namespace {

using Clock = std::chrono::steady_clock;

struct Measurement {
    qint64 ops = 0;
    double seconds = 0;
    double bestRate = 0; // ops/s of the fastest round, the one least disturbed by other processes
    double opsPerSecond() const { return seconds > 0 ? double(ops) / seconds : 0; }
    double microsPerOp() const { return ops > 0 ? seconds * 1e6 / double(ops) : 0; }
    double bestMicrosPerOp() const { return bestRate > 0 ? 1e6 / bestRate : 0; }
};

[[noreturn]] void failed() {
    std::fprintf(stderr, "verify_bench: operation failed\n");
    std::exit(1);
}

constexpr int kBatch = 64;
// Each measurement is split into this many rounds, interleaved with the other measurements of the
// same algorithm, so that load from other processes hits all of them alike.
constexpr int kRounds = 8;

// Runs `op` in batches until `seconds` have passed; the clock is read once per batch so that its
// cost stays out of the cheap measurements. `op` returns false on a failure, which aborts.
void runRound(double seconds, const std::function<bool()> &op, Measurement &m) {
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    auto now = start;
    qint64 ops = 0;
    do {
        for (int i = 0; i < kBatch; ++i) {
            if (!op())
                failed();
        }
        ops += kBatch;
        now = Clock::now();
    } while (now < deadline);
    const double elapsed = std::chrono::duration<double>(now - start).count();
    m.ops += ops;
    m.seconds += elapsed;
    m.bestRate = std::max(m.bestRate, double(ops) / elapsed);
}

// `seconds` per operation in total, in kRounds interleaved rounds after a short warm-up.
QList<Measurement> measureInterleaved(double seconds, const QList<std::function<bool()>> &ops) {
    for (const auto &op : ops) {
        for (int i = 0; i < kBatch * 4; ++i) {
            if (!op())
                failed();
        }
    }
    QList<Measurement> results(ops.size());
    for (int round = 0; round < kRounds; ++round) {
        for (qsizetype i = 0; i < ops.size(); ++i)
            runRound(seconds / kRounds, ops[i], results[i]);
    }
    return results;
}

QJsonObject realisticClaims(int index) {
    QJsonObject claims;
    claims.insert(
        QLatin1String("sub"),
        QStringLiteral("0b6f1c52-4a8e-4d0e-9a57-%1").arg(index, 12, 10, QLatin1Char('0')));
    claims.insert(QLatin1String("tid"), QStringLiteral("5d2c9e1a-7f43-4b6a-8c11-3e0f9a7b2d64"));
    claims.insert(QLatin1String("roles"),
                  QJsonArray{QStringLiteral("owner"), QStringLiteral("admin")});
    claims.insert(QLatin1String("amr"), QJsonArray{QStringLiteral("pwd"), QStringLiteral("otp")});
    claims.insert(
        QLatin1String("sid"),
        QStringLiteral("9a0e4c7b-2f1d-4e8a-b3c6-%1").arg(index, 12, 10, QLatin1Char('0')));
    return claims;
}

void pinToCpu0() {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        std::fprintf(stderr, "verify_bench: sched_setaffinity(CPU 0) failed; not pinned\n");
}

int runOne(SigningKey::Type type, double seconds) {
    const SigningKey key = SigningKey::generate(type);
    if (key.isNull()) {
        std::fprintf(stderr, "verify_bench: key generation failed\n");
        return 1;
    }
    const QString alg = key.alg();
    const QString issuerUrl = QStringLiteral("http://127.0.0.1:8080");
    const QString audience = QStringLiteral("tenantry-api");
    const TokenIssuer issuer(key, issuerUrl, audience, std::chrono::minutes(15));
    const QByteArray token = issuer.issue(realisticClaims(0));
    if (token.isEmpty()) {
        std::fprintf(stderr, "verify_bench: token issue failed\n");
        return 1;
    }

    TokenVerifier::Config config;
    config.keys.insert(key.kid(), key.publicKey());
    config.issuer = issuerUrl;
    config.audience = audience;
    const TokenVerifier verifier(std::move(config));

    TokenVerifier::Failure failure = TokenVerifier::Failure::None;
    if (!verifier.verify(token, &failure)) {
        std::fprintf(stderr, "verify_bench: %s token does not verify: %s\n", qPrintable(alg),
                     qPrintable(TokenVerifier::failureName(failure)));
        return 1;
    }

    const qsizetype lastDot = token.lastIndexOf('.');
    const QByteArrayView signingInput = QByteArrayView(token).first(lastDot);
    // The signature as SigningKey::verify wants it: raw bytes (r||s for ES256).
    const QByteArray signature = QByteArray::fromBase64(
        token.sliced(lastDot + 1), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const SigningKey publicKey = key.publicKey();
    if (!publicKey.verify(signingInput, signature)) {
        std::fprintf(stderr, "verify_bench: signature check failed outside the verifier\n");
        return 1;
    }

    // A cache of 1024 verified tokens, ours among them, keyed by SHA-256 of the whole token.
    QHash<QByteArray, QJsonObject> cache;
    cache.reserve(2048);
    for (int i = 1; i < 1024; ++i) {
        const QByteArray other = issuer.issue(realisticClaims(i));
        cache.insert(QCryptographicHash::hash(other, QCryptographicHash::Sha256),
                     *verifier.verify(other));
    }
    cache.insert(QCryptographicHash::hash(token, QCryptographicHash::Sha256),
                 *verifier.verify(token));

    std::printf("%s: token %lld bytes (header.payload %lld), kid %s\n", qPrintable(alg),
                static_cast<long long>(token.size()), static_cast<long long>(signingInput.size()),
                qPrintable(key.kid()));

    const std::function<bool()> uncachedOp = [&] { return verifier.verify(token).has_value(); };
    const std::function<bool()> signatureOp = [&] {
        return publicKey.verify(signingInput, signature);
    };
    const std::function<bool()> cachedOp = [&] {
        const QByteArray digest = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
        const auto it = cache.constFind(digest);
        if (it == cache.cend())
            return false;
        const QJsonObject claims = it.value();
        // Never past exp: a real cache checks the clock on every hit.
        return claims.value(QLatin1String("exp")).toDouble() >
               double(QDateTime::currentSecsSinceEpoch());
    };
    const std::function<bool()> cachedOpenSslOp = [&] {
        QByteArray digest(SHA256_DIGEST_LENGTH, Qt::Uninitialized);
        SHA256(reinterpret_cast<const unsigned char *>(token.constData()), size_t(token.size()),
               reinterpret_cast<unsigned char *>(digest.data()));
        const auto it = cache.constFind(digest);
        if (it == cache.cend())
            return false;
        const QJsonObject claims = it.value();
        return claims.value(QLatin1String("exp")).toDouble() >
               double(QDateTime::currentSecsSinceEpoch());
    };
    const QList<Measurement> results =
        measureInterleaved(seconds, {uncachedOp, signatureOp, cachedOp, cachedOpenSslOp});
    const Measurement &uncached = results[0];
    const Measurement &signatureOnly = results[1];
    const Measurement &cached = results[2];
    const Measurement &cachedOpenSsl = results[3];

    const auto row = [&](const char *name, const Measurement &m) {
        std::printf("  %-34s %10.0f ops/s %9.3f us/op | best round %10.0f ops/s %9.3f us/op\n",
                    name, m.opsPerSecond(), m.microsPerOp(), m.bestRate, m.bestMicrosPerOp());
    };
    row("uncached TokenVerifier::verify", uncached);
    row("signature only SigningKey::verify", signatureOnly);
    row("cached (SHA-256 + QHash hit + exp)", cached);
    row("cached, OpenSSL SHA256()", cachedOpenSsl);
    // From the best rounds: the least disturbed estimate of each cost.
    const double share = signatureOnly.bestMicrosPerOp() / uncached.bestMicrosPerOp();
    std::printf("  signature share of uncached verify (best rounds): %.1f %% (rest: %.3f us "
                "base64url/JSON/claims)\n",
                100.0 * share, uncached.bestMicrosPerOp() - signatureOnly.bestMicrosPerOp());
    std::printf("  cached hit vs uncached verify: %.0fx faster\n",
                cached.opsPerSecond() / uncached.opsPerSecond());

    const QByteArray name = alg.toLatin1();
    std::printf("RESULT %s uncached %.1f %.4f %.1f\n", name.constData(), uncached.opsPerSecond(),
                uncached.microsPerOp(), uncached.bestRate);
    std::printf("RESULT %s signature %.1f %.4f %.1f\n", name.constData(),
                signatureOnly.opsPerSecond(), signatureOnly.microsPerOp(), signatureOnly.bestRate);
    std::printf("RESULT %s cached %.1f %.4f %.1f\n", name.constData(), cached.opsPerSecond(),
                cached.microsPerOp(), cached.bestRate);
    std::printf("RESULT %s cached_ossl %.1f %.4f %.1f\n", name.constData(),
                cachedOpenSsl.opsPerSecond(), cachedOpenSsl.microsPerOp(), cachedOpenSsl.bestRate);
    std::printf("RESULT %s share %.4f\n", name.constData(), share);
    std::fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char **argv) {
    double seconds = 2.0;
    if (argc > 1) {
        seconds = std::atof(argv[1]);
        if (!(seconds > 0 && seconds <= 60)) {
            std::fprintf(stderr, "usage: verify_bench [seconds-per-measurement (0,60]]\n");
            return 2;
        }
    }
    pinToCpu0();
    std::printf("verify_bench: one thread pinned to CPU 0, %.1f s per measurement\n", seconds);
    for (const auto type : {SigningKey::Type::Es256, SigningKey::Type::EdDsa}) {
        if (const int rc = runOne(type, seconds); rc != 0)
            return rc;
    }
    return 0;
}
