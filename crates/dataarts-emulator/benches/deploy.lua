-- wrk script: each request releases a distinct seeded package ("1000", "1001", ...), so every
-- answer is a real 1 -> 5 release (200), not a wrong-state rejection.
--
--   dataarts-emulator --seed-packages 600000 --no-rate-limit --token bench-token --port 18777
--   wrk -t2 -c64 -d10s -s crates/dataarts-emulator/benches/deploy.lua http://127.0.0.1:18777 -- 2
--
-- The argument after `--` is the number of wrk threads (-t): thread i sends ids
-- 1000 + i, 1000 + i + t, 1000 + i + 2t, ... so no id is released twice.
-- Globals, not locals: wrk's setup() writes them into each thread's own Lua state.
tid = 0
next_tid = 0
counter = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

function init(args)
  stride = tonumber(args[1] or "1")
end

request = function()
  local id = 1000 + tid + counter * stride
  counter = counter + 1
  local body = '{"package_ids":["' .. id .. '"],"startup_mode":0}'
  return wrk.format("POST", "/v2/b384b9e9ab9b4ee8994c8633aabc9505/factory/release-packages/deploy",
    {["X-Auth-Token"] = "bench-token", ["Content-Type"] = "application/json;charset=UTF-8"}, body)
end
