// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace tenantry {

// RFC 7515 §2 base64url, with exactly one accepted spelling per byte string. Lenient decoders
// (QByteArray::fromBase64 included) skip stray characters and ignore the unused trailing bits, so
// several token texts verify to the same bytes; a strict decoder keeps the signed text and the
// meaning in one-to-one correspondence (security checklist J30).
class Base64Url {
public:
    // No `=` padding, as RFC 7515 requires.
    static QByteArray encode(QByteArrayView data);

    // Rejects padding, `+`, `/`, whitespace, any byte outside [A-Za-z0-9_-], a length of 1 mod 4
    // and non-zero unused low bits in the last character.
    static std::optional<QByteArray> decode(QByteArrayView text);
};

} // namespace tenantry
