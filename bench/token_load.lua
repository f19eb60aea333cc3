-- wrk script for bench/token_service.py: authenticated GET /token, one agent JWT per request
-- in turn from the file named after "--", and one JSON line of results at the end.
local tokens = {}
local turn = 0

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end

function request()
  turn = turn % #tokens + 1
  return wrk.format("GET", "/token", { Authorization = "Bearer " .. tokens[turn] })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
