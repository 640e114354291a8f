-- The wrk script of the benchmark suite. Two modes:
--
-- WRK_REQUESTS=FILE sends the requests listed in FILE in turn, each thread starting at its
-- own offset. One request per line, tab-separated:
--   METHOD <tab> PATH <tab> BEARER TOKEN or - <tab> JSON BODY or - [<tab> IF-NONE-MATCH]
-- "{n}" in a body becomes a per-thread counter (a growing time spent, for example).
--
-- WRK_FLOOD=1 is a login flood: wrong passwords for ever new email addresses. With
-- WRK_FORWARDED=1 every request also claims a new client address in X-Forwarded-For (the
-- server must be told to trust it), as a flood from many machines would; otherwise it all
-- comes from one address.
--
-- Either way it counts the answers by status and prints one line "WRKJSON {...}" at the end.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  n = 0
  flood = os.getenv("WRK_FLOOD") == "1"
  forwarded = os.getenv("WRK_FORWARDED") == "1"
  math.randomseed(id * 104729 + os.time())
  if flood then return end
  reqs = {}
  local file = assert(io.open(os.getenv("WRK_REQUESTS"), "r"))
  for line in file:lines() do
    local f = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(f, field) end
    local method, path, token, body, etag = f[1], f[2], f[3], f[4], f[5]
    if method and path and token and body then
      local headers = { ["Accept"] = "application/json" }
      if token ~= "-" then headers["Authorization"] = "Bearer " .. token end
      if etag and etag ~= "" and etag ~= "-" then headers["If-None-Match"] = etag end
      if body == "-" then body = nil else headers["Content-Type"] = "application/json" end
      table.insert(reqs, { method = method, path = path, headers = headers, body = body })
    end
  end
  file:close()
  assert(#reqs > 0, "no requests in " .. os.getenv("WRK_REQUESTS"))
  i = (id * 7919) % #reqs
end

local function flood_request()
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if forwarded then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local body = string.format(
    '{"email":"flood-%d-%d-%d@attacker.example","password":"not the password"}',
    id, n, math.random(1, 1000000000))
  return wrk.format("POST", "/api/v1/auth/login", headers, body)
end

function request()
  n = n + 1
  if flood then return flood_request() end
  i = i % #reqs + 1
  local r = reqs[i]
  local body = r.body
  if body and body:find("{n}", 1, true) then
    body = body:gsub("{n}", tostring(30 + n))
  end
  return wrk.format(r.method, r.path, r.headers, body)
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%d":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50_us":%d,"p95_us":%d,"p99_us":%d,"codes":{%s}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(parts, ",")))
end
