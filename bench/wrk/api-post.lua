-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/api.sh: authenticated POST /v1/{t}/projects with a unique Idempotency-Key
-- per request, spread over many tenants. $BENCH_TARGETS as for api-get.lua (the project id column
-- is ignored); $BENCH_RUN makes keys unique across runs (warm-up, measured, statement count).
local targets = {}
local counter = 0
local prefix = "k"
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("thread_no", thread_no)
end

function init(args)
  local file = os.getenv("BENCH_TARGETS") or error("BENCH_TARGETS is not set")
  for line in io.lines(file) do
    local tid, token = line:match("^(%S+)%s+(%S+)")
    if tid then
      targets[#targets + 1] = { path = "/v1/" .. tid .. "/projects", auth = "Bearer " .. token }
    end
  end
  if #targets == 0 then error("no targets in " .. file) end
  local addr = tostring({}):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(addr:sub(-7), 16))
  prefix = "bench-" .. (os.getenv("BENCH_RUN") or tostring(os.time())) .. "-" ..
    tostring(thread_no or 0) .. "-" .. addr .. "-"
end

function request()
  counter = counter + 1
  local t = targets[math.random(#targets)]
  return wrk.format("POST", t.path, {
    ["Authorization"] = t.auth,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. counter,
  }, '{"name":"bench project ' .. counter .. '"}')
end
