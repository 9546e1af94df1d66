-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script: GET with "Authorization: Bearer $BENCH_TOKEN".
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
