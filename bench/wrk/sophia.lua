-- wrk script for bench/load.sh and bench/http_load.sh.
-- With WRK_QUESTIONS set (a questions.tsv file) every request is a POST /api/v1/chat research
-- request over the local index, rotating through the questions; otherwise requests are plain GETs
-- of the URL given to wrk, and no request() function is defined: wrk then sends one request
-- formatted once, without calling Lua per request. WRK_API_KEY, when set, is sent as X-API-Key.
-- At the end one line "WRK_RESULT requests=... rps=... p50_ms=... p99_ms=... non2xx=... socket_errors=..."
-- is printed for the scripts to parse.

local questions_file = os.getenv("WRK_QUESTIONS")
local api_key = os.getenv("WRK_API_KEY")
local threads = {}

local function json_string(s)
  s = s:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\t', ' ')
  return '"' .. s .. '"'
end

local function load_questions(path)
  local list = {}
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    if line ~= "" and line:sub(1, 1) ~= "#" then
      local q = line:match("^([^\t]+)")
      if q then list[#list + 1] = q end
    end
  end
  f:close()
  assert(#list > 0, "no questions in " .. path)
  return list
end

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

local bodies = nil
local next_index = 1

function init(args)
  wrk.headers["Accept"] = "application/json"
  if api_key and api_key ~= "" then wrk.headers["X-API-Key"] = api_key end
  if questions_file and questions_file ~= "" then
    local questions = load_questions(questions_file)
    bodies = {}
    for i, q in ipairs(questions) do
      bodies[i] = '{"query":' .. json_string(q) .. ',"sources_limit":3,"search_engine":"local"}'
    end
    -- Threads start at different questions so that they do not ask the same thing in lockstep.
    next_index = ((id or 0) * 7) % #bodies + 1
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  end
end

if questions_file and questions_file ~= "" then
  function request()
    local body = bodies[next_index]
    next_index = next_index % #bodies + 1
    return wrk.format("POST", "/api/v1/chat", nil, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK_RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d timeouts=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write, e.timeout))
end
