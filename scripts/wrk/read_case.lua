-- wrk script for scripts/bench-http: every request reads one case (GET /v1/cases/{id}, logged
-- like every request). ENV: TOKEN, CASE.
local token = os.getenv("TOKEN")
local path = "/v1/cases/" .. os.getenv("CASE")

function request()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
