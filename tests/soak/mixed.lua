-- wrk script of the soak (scripts/soak): a mix of durable commands and logged reads.
--   one request in COMMAND_EVERY registers a new person (POST /v1/subjects: a synced append);
--   the others read one case (GET /v1/cases/{id}: a read recorded as an event).
-- Every acknowledged registration (201) is written, by subject id, to ACK_DIR/acks-<thread>.txt,
-- and answers are counted by status in ACK_DIR/status-<thread>.txt (every 200 answers), so the driver can check
-- afterwards that no acknowledged command was lost. Arguments (after --):
--   ACK_DIR COMMAND_TOKEN READ_TOKEN CASE_IDS_FILE COMMAND_EVERY
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local acks, cases, n, statuses, answered = nil, {}, 0, {}, 0
local ack_dir, command_token, read_token, command_every

function init(args)
  ack_dir, command_token, read_token = args[1], args[2], args[3]
  command_every = tonumber(args[5]) or 4
  for line in io.lines(args[4]) do table.insert(cases, line) end
  acks = io.open(ack_dir .. "/acks-" .. tid .. ".txt", "a")
  acks:setvbuf("line")
  math.randomseed(os.time() + tid * 7919)
end

-- A valid personal identity number (Luhn digit computed), unique per thread and request:
-- born 1960–1999, the serial and the day drawn from the thread id and a counter.
local function personal_number(k)
  local year = 1960 + (k % 40)
  local month = 1 + math.floor(k / 40) % 12
  local day = 1 + math.floor(k / 480) % 28
  local serial = math.floor(k / 13440) % 1000
  local nine = string.format("%02d%02d%02d%03d", year % 100, month, day, serial)
  local sum = 0
  for i = 1, 9 do
    local d = tonumber(nine:sub(i, i)) * ((i % 2 == 1) and 2 or 1)
    if d > 9 then d = d - 9 end
    sum = sum + d
  end
  return string.format("%d%s-%s%d", math.floor(year / 100), nine:sub(1, 6), nine:sub(7, 9), (10 - sum % 10) % 10)
end

local seq = 0
function request()
  n = n + 1
  if n % command_every == 0 then
    seq = seq + 1
    -- 13,440,000 distinct numbers; thread t owns those with k % 64 == t (a repeat answers 200).
    local k = seq * 64 + tid
    local body = '{"personal_number":"' .. personal_number(k % 13440000) .. '","name":"Soak Person","gender":"unknown"}'
    return wrk.format("POST", "/v1/subjects", {["Authorization"] = "Bearer " .. command_token,
                                                ["Content-Type"] = "application/json"}, body)
  end
  local id = cases[math.random(#cases)]
  return wrk.format("GET", "/v1/cases/" .. id, {["Authorization"] = "Bearer " .. read_token})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local id = body:match('"subject_id"%s*:%s*"(S%-[%w]+)"')
    if id then acks:write(id, "\n") end
  end
  answered = answered + 1
  if answered % 200 == 0 then
    local f = io.open(ack_dir .. "/status-" .. tid .. ".txt", "w")
    for code, count in pairs(statuses) do f:write(code, " ", count, "\n") end
    f:close()
  end
end
