-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: POST an application/x-www-form-urlencoded body taken from $BENCH_FORM_BODY.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_FORM_BODY") or ""
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
