// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace tenantry {

// RFC 8259 with the ambiguities removed. QJsonDocument silently keeps the last of two duplicate
// keys and accepts lone surrogates, U+0000, raw control characters and a BOM, so two parsers
// (ours and a proxy's, or a token's signer and verifier) can read one text differently. A
// validating pass over the raw bytes rejects all of that before QJsonDocument builds the value.
// Used for token headers and claims and for request bodies.
class StrictJson {
public:
    static constexpr int kDefaultMaxDepth = 32;
    static constexpr qsizetype kDefaultMaxBytes = 1024 * 1024;
    // Bounds the recursion of the validator whatever a caller asks for.
    static constexpr int kHardMaxDepth = 512;

    // Rejects: more than maxBytes, a UTF-8 BOM, invalid UTF-8 (overlong, surrogates, > U+10FFFF),
    // lone or mis-ordered \u surrogates, \u0000, raw control characters in strings, duplicate
    // keys in any object (compared after unescaping, so "a" and "\u0061" collide), nesting
    // deeper than maxDepth (the top-level object is depth 1), numbers that do not fit a finite
    // double, a top level other than an object, and anything after it but whitespace.
    // `error` gets a short English reason meant for logs, never for clients.
    static std::optional<QJsonObject> parseObject(const QByteArray &utf8, QString *error = nullptr,
                                                  int maxDepth = kDefaultMaxDepth,
                                                  qsizetype maxBytes = kDefaultMaxBytes);

    // The validation pass alone, without building a QJsonObject.
    static bool validate(const QByteArray &utf8, QString *error = nullptr,
                         int maxDepth = kDefaultMaxDepth, qsizetype maxBytes = kDefaultMaxBytes);
};

} // namespace tenantry
