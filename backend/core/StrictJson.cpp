// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/StrictJson.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <charconv>
#include <cmath>

namespace tenantry {

namespace {

class Validator {
public:
    Validator(const QByteArray &text, int maxDepth)
        : m_data(text.constData())
        , m_size(text.size())
        , m_maxDepth(maxDepth) {}

    bool run() {
        skipWhitespace();
        if (atEnd() || peek() != '{')
            return fail("top level is not an object");
        if (!parseObject(1))
            return false;
        skipWhitespace();
        if (!atEnd())
            return fail("trailing data after the top-level object");
        return true;
    }

    QString error() const { return m_error; }

private:
    bool atEnd() const { return m_pos >= m_size; }
    unsigned char peek() const { return static_cast<unsigned char>(m_data[m_pos]); }

    bool fail(const char *reason) {
        if (m_error.isEmpty())
            m_error =
                QString::fromLatin1(reason) + QStringLiteral(" at byte ") + QString::number(m_pos);
        return false;
    }

    void skipWhitespace() {
        // RFC 8259 §2: only these four; no comments, no NBSP, no BOM.
        while (!atEnd()) {
            const unsigned char c = peek();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool expect(char c) {
        if (atEnd() || peek() != static_cast<unsigned char>(c))
            return fail("unexpected character");
        ++m_pos;
        return true;
    }

    bool parseValue(int depth) {
        if (atEnd())
            return fail("unexpected end of input");
        switch (peek()) {
        case '{':
            return parseObject(depth + 1);
        case '[':
            return parseArray(depth + 1);
        case '"':
            return parseString(nullptr);
        case 't':
            return parseLiteral("true");
        case 'f':
            return parseLiteral("false");
        case 'n':
            return parseLiteral("null");
        default:
            return parseNumber();
        }
    }

    bool parseLiteral(const char *literal) {
        for (const char *p = literal; *p; ++p) {
            if (atEnd() || peek() != static_cast<unsigned char>(*p))
                return fail("invalid literal");
            ++m_pos;
        }
        return true;
    }

    bool parseObject(int depth) {
        if (depth > m_maxDepth)
            return fail("nesting too deep");
        ++m_pos; // '{'
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            return true;
        }
        QSet<QString> keys;
        for (;;) {
            skipWhitespace();
            if (atEnd() || peek() != '"')
                return fail("object key is not a string");
            QString key;
            if (!parseString(&key))
                return false;
            if (keys.contains(key))
                return fail("duplicate object key");
            keys.insert(key);
            skipWhitespace();
            if (!expect(':'))
                return false;
            skipWhitespace();
            if (!parseValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return fail("unterminated object");
            const unsigned char c = peek();
            ++m_pos;
            if (c == '}')
                return true;
            if (c != ',')
                return fail("expected ',' or '}' in object");
        }
    }

    bool parseArray(int depth) {
        if (depth > m_maxDepth)
            return fail("nesting too deep");
        ++m_pos; // '['
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (!parseValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return fail("unterminated array");
            const unsigned char c = peek();
            ++m_pos;
            if (c == ']')
                return true;
            if (c != ',')
                return fail("expected ',' or ']' in array");
        }
    }

    static int hexValue(unsigned char c) {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    bool parseHex4(char16_t *out) {
        if (m_size - m_pos < 4)
            return fail("truncated \\u escape");
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexValue(peek());
            if (digit < 0)
                return fail("invalid \\u escape");
            value = (value << 4) | unsigned(digit);
            ++m_pos;
        }
        *out = char16_t(value);
        return true;
    }

    // Validates one UTF-8 sequence (RFC 3629 Table 3 ranges) starting at m_pos.
    bool parseUtf8(QString *out) {
        const unsigned char lead = peek();
        int length = 0;
        char32_t cp = 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
            cp = lead & 0x1f;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            cp = lead & 0x0f;
            if (lead == 0xe0)
                lo = 0xa0; // overlong
            else if (lead == 0xed)
                hi = 0x9f; // UTF-16 surrogates
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            cp = lead & 0x07;
            if (lead == 0xf0)
                lo = 0x90; // overlong
            else if (lead == 0xf4)
                hi = 0x8f; // above U+10FFFF
        } else {
            return fail("invalid UTF-8");
        }
        if (m_size - m_pos < length)
            return fail("truncated UTF-8");
        for (int i = 1; i < length; ++i) {
            const auto c = static_cast<unsigned char>(m_data[m_pos + i]);
            if (c < lo || c > hi)
                return fail("invalid UTF-8");
            lo = 0x80;
            hi = 0xbf;
            cp = (cp << 6) | (c & 0x3f);
        }
        m_pos += length;
        if (out) {
            const char32_t one[1] = {cp};
            out->append(QString::fromUcs4(one, 1));
        }
        return true;
    }

    bool parseString(QString *out) {
        ++m_pos; // '"'
        for (;;) {
            if (atEnd())
                return fail("unterminated string");
            const unsigned char c = peek();
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return fail("raw control character in string");
            if (c >= 0x80) {
                if (!parseUtf8(out))
                    return false;
                continue;
            }
            ++m_pos;
            if (c != '\\') {
                if (out)
                    out->append(QLatin1Char(char(c)));
                continue;
            }
            if (atEnd())
                return fail("unterminated escape");
            const unsigned char e = peek();
            ++m_pos;
            char16_t decoded = 0;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                decoded = e;
                break;
            case 'b':
                decoded = '\b';
                break;
            case 'f':
                decoded = '\f';
                break;
            case 'n':
                decoded = '\n';
                break;
            case 'r':
                decoded = '\r';
                break;
            case 't':
                decoded = '\t';
                break;
            case 'u': {
                if (!parseHex4(&decoded))
                    return false;
                if (decoded == 0)
                    return fail("\\u0000 in string");
                if (QChar::isLowSurrogate(decoded))
                    return fail("lone low surrogate");
                if (QChar::isHighSurrogate(decoded)) {
                    char16_t low = 0;
                    if (m_size - m_pos < 2 || m_data[m_pos] != '\\' || m_data[m_pos + 1] != 'u')
                        return fail("lone high surrogate");
                    m_pos += 2;
                    if (!parseHex4(&low))
                        return false;
                    if (!QChar::isLowSurrogate(low))
                        return fail("lone high surrogate");
                    if (out) {
                        out->append(QChar(decoded));
                        out->append(QChar(low));
                    }
                    continue;
                }
                break;
            }
            default:
                return fail("invalid escape");
            }
            if (out)
                out->append(QChar(decoded));
        }
    }

    bool parseNumber() {
        const qsizetype start = m_pos;
        auto digits = [this] {
            const qsizetype from = m_pos;
            while (!atEnd() && peek() >= '0' && peek() <= '9')
                ++m_pos;
            return m_pos - from;
        };
        if (!atEnd() && peek() == '-')
            ++m_pos;
        if (atEnd())
            return fail("invalid number");
        if (peek() == '0') {
            ++m_pos;
        } else if (digits() == 0) {
            return fail("invalid value");
        }
        if (!atEnd() && peek() == '.') {
            ++m_pos;
            if (digits() == 0)
                return fail("invalid number");
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (digits() == 0)
                return fail("invalid number");
        }
        // from_chars ignores the C locale (QCoreApplication calls setlocale) and reports
        // overflow, which strtod would turn into HUGE_VAL and QJsonDocument into infinity.
        double value = 0;
        const auto result = std::from_chars(m_data + start, m_data + m_pos, value);
        if (result.ec != std::errc() || result.ptr != m_data + m_pos || !std::isfinite(value))
            return fail("number is not a finite double");
        return true;
    }

    const char *m_data;
    qsizetype m_size;
    qsizetype m_pos = 0;
    int m_maxDepth;
    QString m_error;
};

void setError(QString *error, const QString &text) {
    if (error)
        *error = text;
}

} // namespace

bool StrictJson::validate(const QByteArray &utf8, QString *error, int maxDepth,
                          qsizetype maxBytes) {
    if (utf8.size() > maxBytes) {
        setError(error, QStringLiteral("input larger than %1 bytes").arg(maxBytes));
        return false;
    }
    if (utf8.startsWith("\xef\xbb\xbf")) {
        setError(error, QStringLiteral("UTF-8 byte order mark"));
        return false;
    }
    Validator validator(utf8, qBound(1, maxDepth, kHardMaxDepth));
    if (!validator.run()) {
        setError(error, validator.error());
        return false;
    }
    return true;
}

std::optional<QJsonObject> StrictJson::parseObject(const QByteArray &utf8, QString *error,
                                                   int maxDepth, qsizetype maxBytes) {
    if (!validate(utf8, error, maxDepth, maxBytes))
        return std::nullopt;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
    // After validation this cannot fail; if the two parsers ever disagree, refuse rather than
    // guess which reading is right.
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        setError(error, QStringLiteral("QJsonDocument disagrees with the validator: ") +
                            parseError.errorString());
        return std::nullopt;
    }
    return document.object();
}

} // namespace tenantry
