-- SPDX-License-Identifier: GPL-3.0-or-later
-- wrk script for bench/api.sh: authenticated GET /v1/{t}/projects/{id}, spread over many tenants.
-- $BENCH_TARGETS names a file with one line per tenant: "<tenant id> <access token> <project id>".
-- Every request picks one line at random, so tokens, tenants and projects vary per request.
local targets = {}

function init(args)
  local file = os.getenv("BENCH_TARGETS") or error("BENCH_TARGETS is not set")
  for line in io.lines(file) do
    local tid, token, pid = line:match("^(%S+)%s+(%S+)%s+(%S+)")
    if tid then
      targets[#targets + 1] = { tid = tid, token = token, pid = pid }
    end
  end
  if #targets == 0 then error("no targets in " .. file) end
  -- Different seeds per thread: the address of a fresh table differs per Lua state.
  local addr = tostring({}):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(addr:sub(-7), 16))
end

local function prepare(t)
  -- Built on first use: wrk.headers["Host"] is set by then and wrk.format copies it.
  t.req = wrk.format("GET", "/v1/" .. t.tid .. "/projects/" .. t.pid,
    { ["Authorization"] = "Bearer " .. t.token })
  return t.req
end

function request()
  local t = targets[math.random(#targets)]
  return t.req or prepare(t)
end
