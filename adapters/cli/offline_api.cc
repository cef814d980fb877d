#include "adapters/cli/offline_api.h"

#include <sodium.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <iostream>

#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

namespace {

std::string Operator() {
  const char* login = ::getlogin();
  if (!login) login = std::getenv("USER");
  return std::string("cli:") + (login ? login : "operator");
}

std::string RandomToken() { return NewServiceToken(); }

}  // namespace

Result<std::unique_ptr<OfflineApi>> OfflineApi::Open(const DataDirFlags& flags, int suppress_below) {
  if (sodium_init() < 0) return Unavailable("libsodium failed to initialise");
  std::unique_ptr<OfflineApi> o(new OfflineApi());
  CT_ASSIGN_OR_RETURN(o->stores_, OpenDataDir(flags));
  CT_ASSIGN_OR_RETURN(o->engine_, BuildEngine(o->stores_));
  CT_RETURN_IF_ERROR(o->engine_->service->RepairAtStart().status());
  o->directory_ = std::make_unique<replay::CaseDirectory>(o->stores_.log.get(), &o->engine_->registry);
  o->indicators_ = std::make_unique<replay::LiveIndicators>(o->stores_.log.get(), &o->engine_->registry);
  // One in-memory user per role the CLI acts as; the tokens never leave this process.
  std::vector<std::pair<engine::Actor, std::string>> users;
  auto add = [&](const std::string& role, const std::string& unit) {
    const std::string token = RandomToken();
    o->tokens_[role + "/" + unit] = token;
    users.push_back({engine::Actor{Operator(), role, unit, "bankid", ""}, token});
  };
  const engine::WorkflowModel& model = o->engine_->service->model();
  for (const auto& [name, role] : model.roles) {
    if (!role.UnitBound()) add(name, "");
    for (const auto& unit : role.UnitBound() ? model.UnitIds() : std::vector<std::string>{}) add(name, unit);
  }
  o->users_ = std::make_unique<Users>(Users::Minted(users));
  o->metrics_ = std::make_unique<Metrics>();
  std::string fingerprint_key(32, '\0');
  auto derived = storage::DeriveSubkey(o->stores_.master, 2, "idemfing");
  fingerprint_key.assign(reinterpret_cast<const char*>(derived.data()), derived.size());
  ApiDeps deps;
  deps.log = o->stores_.log.get();
  deps.service = o->engine_->service.get();
  deps.keys = o->engine_->keys.get();
  deps.registry = &o->engine_->registry;
  deps.clock = o->engine_->clock.get();
  deps.users = o->users_.get();
  deps.directory = o->directory_.get();
  deps.metrics = o->metrics_.get();
  deps.fingerprint_key = fingerprint_key;
  const auto lookup_key = storage::DeriveSubkey(o->stores_.master, 1, "lookupnr");
  deps.lookup_hash_key.assign(reinterpret_cast<const char*>(lookup_key.data()), lookup_key.size());
  deps.lookups_per_minute = 0;  // the operator's own tool on the data directory: traced, not limited
  deps.sign_in_failures_per_minute = 0;
  deps.indicators = o->indicators_.get();
  deps.suppress_below = suppress_below;
  o->api_ = std::make_unique<Api>(std::move(deps));
  return o;
}

OfflineApi::~OfflineApi() {
  api_.reset();
  indicators_.reset();
  directory_.reset();  // stops its subscription before the log closes
}

ApiResponse OfflineApi::Call(const std::string& role, const std::string& unit, const std::string& method,
                             const std::string& target, const std::string& body,
                             const std::string& idempotency_key, const std::string& accept) {
  ApiRequest req;
  req.method = method;
  req.target = target;
  req.authorization = "Bearer " + tokens_[role + "/" + unit];
  if (!body.empty()) req.content_type = "application/json";
  req.body = body;
  req.idempotency_key = idempotency_key;
  req.accept = accept;
  return api_->Handle(req);
}

int PrintResponse(const ApiResponse& r) {
  if (r.status >= 200 && r.status < 300) {
    std::cout << r.body << "\n";
    return 0;
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  std::string code = "error", detail = r.body;
  if (!ec && v.is_object()) {
    if (const auto* c = v.as_object().if_contains("code"); c && c->is_string()) code = c->as_string().c_str();
    if (const auto* d = v.as_object().if_contains("detail"); d && d->is_string()) detail = d->as_string().c_str();
  }
  std::cerr << "casetrail: " << r.status << " " << code << ": " << detail << "\n";
  return 1;
}

}  // namespace casetrail::adapters
