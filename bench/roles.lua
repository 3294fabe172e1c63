-- wrk script for bench/command_path.sh: the command path of LabelFleet under load.
-- A mix of POST /api/roles (a new role, unique name) and PUT /api/roles/<id> (a description/colour
-- change of a role this thread created, picked at random among the last 4096; PUTs start once the
-- thread has created 64 roles). Every request is a command that appends an event, so this
-- measures HTTP -> decide -> event store commit -> response.
--
--   wrk -t2 -c128 -d15s --latency -s bench/roles.lua http://127.0.0.1:PORT
--
-- Environment:
--   BENCH_UPDATE_RATIO   share of PUTs once the thread has ids (default 0.5)
--   BENCH_AUTH_HEADER    one extra header line, e.g. "Cookie: next-auth.session-token=…", if the API
--                        requires a session
--
-- done() prints a human summary and one machine-readable line starting with "BENCH_RESULT".

local threads = {}
local next_thread_id = 1

-- Runs in the main Lua state once per thread, before the threads start.
function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end

-- ---- everything below runs in each thread's own Lua state

thread_id = 0
counter = 0       -- requests built by this thread
created = 0       -- 201 responses
updated = 0       -- 2xx answers to PUT (any 2xx that is not a 201)
errors = 0        -- non-2xx responses
statuses = {}     -- status code -> count, for the non-2xx ones

local ids = {}          -- ids of roles this thread created (ring buffer)
local ids_len = 0
local ids_max = 4096
local ids_next = 1
local update_ratio = tonumber(os.getenv("BENCH_UPDATE_RATIO") or "") or 0.5
-- PUTs start once the thread knows this many roles: with a handful of ids, the thread's connections
-- would update the same role at once and measure version conflicts (409) instead of throughput.
local min_pool = 64
local nonce = ""

local colors = { "#3B82F6", "#EF4444", "#10B981", "#F59E0B", "#8B5CF6", "#EC4899" }
local headers = {
  ["Content-Type"] = "application/json",
  ["Connection"] = "keep-alive",   -- the HTTP/1.1 default; said for clarity
}

function init(args)
  -- Seed per thread: names stay unique across threads, runs and wrk restarts.
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  nonce = string.format("%x%04x", os.time(), math.random(0, 0xffff))
  local auth = os.getenv("BENCH_AUTH_HEADER")
  if auth and auth ~= "" then
    local name, value = auth:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
end

local function remember(id)
  ids[ids_next] = id
  ids_next = ids_next + 1
  if ids_next > ids_max then ids_next = 1 end
  if ids_len < ids_max then ids_len = ids_len + 1 end
end

local description = string.rep("benchmark role for the command path; ", 3)

function request()
  counter = counter + 1
  if ids_len >= min_pool and math.random() < update_ratio then
    local id = ids[math.random(1, ids_len)]
    local body = string.format('{"description":"%s updated %d","color":"%s"}',
                               description, counter, colors[math.random(1, #colors)])
    return wrk.format("PUT", "/api/roles/" .. id, headers, body)
  end
  local name = string.format("bench-%d-%s-%d-%d", thread_id, nonce, counter, math.random(0, 999999))
  local body = string.format('{"name":"%s","description":"%s","color":"%s"}',
                             name, description, colors[math.random(1, #colors)])
  return wrk.format("POST", "/api/roles", headers, body)
end

-- Responses of a thread's connections arrive in any order, so the body, not the request order,
-- says what a response was: a 201 carries the new role's "id".
function response(status, hdrs, body)
  if status == 201 then
    created = created + 1
    local id = body and body:match('"id"%s*:%s*(%d+)')
    if id then remember(id) end
  elseif status >= 200 and status < 300 then
    updated = updated + 1
  else
    errors = errors + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

-- ---- main Lua state again, after the run

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local total_created, total_updated, total_errors = 0, 0, 0
  local by_status = {}
  for _, t in ipairs(threads) do
    total_created = total_created + (t:get("created") or 0)
    total_updated = total_updated + (t:get("updated") or 0)
    total_errors = total_errors + (t:get("errors") or 0)
    local s = t:get("statuses") or {}
    for code, n in pairs(s) do by_status[code] = (by_status[code] or 0) + n end
  end
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write
                        + summary.errors.timeout
  local rps = summary.requests / seconds
  local p50 = latency:percentile(50) / 1000
  local p99 = latency:percentile(99) / 1000
  local codes = {}
  for code, n in pairs(by_status) do table.insert(codes, code .. "=" .. n) end
  table.sort(codes)

  io.write("\n---- roles.lua summary\n")
  io.write(string.format("requests      %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/s    %.1f\n", rps))
  io.write(string.format("latency p50   %.2f ms\n", p50))
  io.write(string.format("latency p99   %.2f ms\n", p99))
  io.write(string.format("created (201) %d, updated (2xx) %d\n", total_created, total_updated))
  io.write(string.format("errors        %d non-2xx%s, %d socket (connect %d, read %d, write %d, timeout %d)\n",
                         total_errors, #codes > 0 and (" [" .. table.concat(codes, " ") .. "]") or "",
                         socket_errors, summary.errors.connect, summary.errors.read,
                         summary.errors.write, summary.errors.timeout))
  io.write(string.format("BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f " ..
                         "created=%d updated=%d non2xx=%d socket_errors=%d\n",
                         summary.requests, seconds, rps, p50, p99, total_created, total_updated,
                         total_errors, socket_errors))
end
