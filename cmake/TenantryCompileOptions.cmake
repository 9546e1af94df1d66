# SPDX-License-Identifier: GPL-3.0-or-later
# Project-wide strictness for our own targets (never applied to Qt or system headers).
function(tenantry_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wundef -Wshadow=local
                                           -Wnon-virtual-dtor -Wcast-align -Wformat=2)
  if(TENANTRY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
                                               QT_USE_QSTRINGBUILDER QT_NO_KEYWORDS
                                               QT_DISABLE_DEPRECATED_BEFORE=0x060400)
  if(TENANTRY_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# Precompiled Qt headers keep 2-core rebuilds short.
function(tenantry_qt_pch target)
  target_precompile_headers(${target} PRIVATE <QtCore/QObject> <QtCore/QString> <QtCore/QByteArray>
                            <QtCore/QJsonObject> <QtCore/QJsonDocument> <QtCore/QList> <QtCore/QHash>)
endfunction()
