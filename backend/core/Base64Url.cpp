// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Base64Url.h"

#include <array>

namespace tenantry {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<qint8, 256> makeDecodeTable() {
    std::array<qint8, 256> table{};
    for (auto &entry : table)
        entry = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<qint8>(i);
    return table;
}

constexpr std::array<qint8, 256> kDecodeTable = makeDecodeTable();

} // namespace

QByteArray Base64Url::encode(QByteArrayView data) {
    QByteArray out;
    out.reserve((data.size() * 4 + 2) / 3);
    const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());
    qsizetype i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const quint32 v = (quint32(bytes[i]) << 16) | (quint32(bytes[i + 1]) << 8) | bytes[i + 2];
        out.append(kAlphabet[(v >> 18) & 63]);
        out.append(kAlphabet[(v >> 12) & 63]);
        out.append(kAlphabet[(v >> 6) & 63]);
        out.append(kAlphabet[v & 63]);
    }
    const qsizetype rest = data.size() - i;
    if (rest == 1) {
        const quint32 v = quint32(bytes[i]) << 16;
        out.append(kAlphabet[(v >> 18) & 63]);
        out.append(kAlphabet[(v >> 12) & 63]);
    } else if (rest == 2) {
        const quint32 v = (quint32(bytes[i]) << 16) | (quint32(bytes[i + 1]) << 8);
        out.append(kAlphabet[(v >> 18) & 63]);
        out.append(kAlphabet[(v >> 12) & 63]);
        out.append(kAlphabet[(v >> 6) & 63]);
    }
    return out;
}

std::optional<QByteArray> Base64Url::decode(QByteArrayView text) {
    const qsizetype size = text.size();
    // One leftover character carries only 6 bits: no whole byte can come from it.
    if (size % 4 == 1)
        return std::nullopt;

    QByteArray out;
    out.reserve(size / 4 * 3 + 2);
    quint32 acc = 0;
    int bits = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const qint8 value = kDecodeTable[static_cast<unsigned char>(text[i])];
        if (value < 0)
            return std::nullopt;
        acc = (acc << 6) | quint32(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.append(char((acc >> bits) & 0xff));
        }
    }
    // The bits that belong to no output byte must be zero, otherwise "QR" and "QQ" would both
    // decode to "A" and a token could be re-spelled without breaking its signature.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

} // namespace tenantry
