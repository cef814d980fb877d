-- wrk script for scripts/bench-http: every request registers a new subject (a durable command:
-- decided, sealed and appended with a synced write before 201 answers). Personal identity
-- numbers are valid (Luhn) and distinct per thread and request; ENV: TOKEN.
local token = os.getenv("TOKEN")
local counter = 0
local threads = 0

function setup(thread)
  thread:set("base", 1000000 + threads * 400000)
  threads = threads + 1
end

local function number(n)
  local year = 1940 + n % 60
  local nine = string.format("%02d%02d%02d%03d", year % 100, 1 + math.floor(n / 60) % 12, 1 + math.floor(n / 720) % 28, math.floor(n / 20160) % 1000)
  local sum = 0
  for i = 1, 9 do
    local d = tonumber(nine:sub(i, i)) * ((i % 2 == 1) and 2 or 1)
    sum = sum + (d > 9 and d - 9 or d)
  end
  return tostring(math.floor(year / 100)) .. nine .. tostring((10 - sum % 10) % 10)
end

function request()
  counter = counter + 1
  local body = '{"personal_number":"' .. number(base + counter) .. '","name":"Bench Person"}'
  return wrk.format("POST", "/v1/subjects", {["Authorization"] = "Bearer " .. token,
                                             ["Content-Type"] = "application/json"}, body)
end
