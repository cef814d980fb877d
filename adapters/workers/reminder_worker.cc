#include "adapters/workers/reminder_worker.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <curl/curl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>

#include "adapters/workers/list_jobs.h"
#include "engine/cooperation_records.h"
#include "engine/event.h"
#include "replay/indicators.h"
#include "replay/stockholm_time.h"
#include "storage/base/failpoint.h"
#include "storage/base/hex.h"

namespace casetrail::adapters {
namespace json = boost::json;

Result<Webhook> ParseWebhook(const std::string& url, std::string secret) {
  auto u = boost::urls::parse_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty()) {
    return InvalidArgument("webhook must be an https://HOST[:PORT]/PATH URL");
  }
  Webhook w;
  w.url = url;
  w.host = std::string(u->host());
  const bool tls = u->scheme() == "https";
  w.port = u->has_port() ? static_cast<uint16_t>(u->port_number()) : (tls ? 443 : 80);
  if (!tls) {
    // Plain HTTP would carry the deliveries (and their signatures) across the network in clear.
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(u->host_address().empty() ? w.host : std::string(u->host_address()), ec);
    const bool loopback = (!ec && address.is_loopback()) || w.host == "localhost";
    if (!loopback) return InvalidArgument("webhook must be https:// (plain http:// only to a loopback address)");
  }
  w.path = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  w.secret = std::move(secret);
  if (w.secret.size() < 16) return InvalidArgument("webhook secret must be at least 16 bytes");
  return w;
}

std::string WebhookChannel(size_t index, const Webhook& w) {
  if (index == 0) return "webhook";
  const std::string where = w.host + ":" + std::to_string(w.port) + w.path;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof(digest), reinterpret_cast<const unsigned char*>(where.data()), where.size(), nullptr, 0);
  return "webhook-" + ToHex(std::string_view(reinterpret_cast<const char*>(digest), 4));
}

ReminderWorker::ReminderWorker(storage::Log* log, const engine::DefinitionRegistry* registry, engine::Clock* clock,
                               WorkerOptions options)
    : log_(log), registry_(registry), clock_(clock), options_(std::move(options)), book_(registry) {
  // One channel per receiver; the same URL given twice is one receiver.
  std::vector<Webhook> unique;
  for (auto& w : options_.webhooks) {
    w.channel = WebhookChannel(unique.size(), w);
    bool seen = false;
    for (const auto& u : unique) seen = seen || (u.host == w.host && u.port == w.port && u.path == w.path);
    if (!seen) unique.push_back(w);
  }
  options_.webhooks = std::move(unique);
  fold_ = std::make_unique<replay::ResumingFold>(
      log_, options_.checkpoints, replay::ReminderBook::kCheckpointName, replay::ReminderBook::kCheckpointFormat,
      [this](const auto& loaded) { return book_.DecodeState(loaded.body, {loaded.position, loaded.hash}); },
      [this](const storage::RecordedEvent& r) { book_.Apply(r); });
}

ReminderWorker::~ReminderWorker() {
  Stop();
  fold_.reset();
}

Status ReminderWorker::SaveCheckpoint() const {
  if (!options_.checkpoints) return Status(StatusCode::kFailedPrecondition, "the reminder book has no checkpoint folder");
  replay::FoldedTo at;
  const std::string body = book_.EncodeState(&at);
  return options_.checkpoints->SaveFolded(replay::ReminderBook::kCheckpointName, replay::ReminderBook::kCheckpointFormat, at, body);
}

void ReminderWorker::Start() {
  jobs_thread_ = std::thread([this] { JobsLoop(); });
  delivery_thread_ = std::thread([this] { DeliveryLoop(); });
}

void ReminderWorker::JobsLoop() {
  std::unique_lock lock(wake_mu_);
  while (!stop_) {
    lock.unlock();
    if (!options_.active || options_.active()) {
      if (Status s = RunJobs(); !s.ok()) spdlog::warn("reminder worker: {}", s.ToString());
    }
    lock.lock();
    wake_cv_.wait_for(lock, options_.poll, [this] { return stop_; });
  }
}

void ReminderWorker::DeliveryLoop() {
  std::unique_lock lock(wake_mu_);
  while (!stop_) {
    const uint64_t covers = deliveries_asked_;  // asks made before this pass starts
    lock.unlock();
    if (!options_.active || options_.active()) {
      if (Status s = DeliverOwed(); !s.ok()) spdlog::warn("reminder delivery: {}", s.ToString());
    }
    lock.lock();
    deliveries_done_ = covers;
    wake_cv_.notify_all();
    wake_cv_.wait_for(lock, options_.poll, [this] { return stop_ || deliveries_asked_ > deliveries_done_; });
  }
}

void ReminderWorker::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  if (jobs_thread_.joinable()) jobs_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
}

bool ReminderWorker::DeliverSoon(std::chrono::milliseconds wait) {
  if (!delivery_thread_.joinable()) return DeliverOwed().ok();
  std::unique_lock lock(wake_mu_);
  const uint64_t ticket = ++deliveries_asked_;
  wake_cv_.notify_all();
  return wake_cv_.wait_for(lock, wait, [&] { return stop_ || deliveries_done_ >= ticket; });
}

bool ReminderWorker::CatchUp(int timeout_ms) const {
  const Position head = log_->GetHead().position;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (book_.position().value() < head.value()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

Status ReminderWorker::Record(const std::string& stream, const std::string& type, engine::Fields facts,
                              engine::Timestamp now, const std::string& idempotency_key) {
  return engine::AppendRecordOnce(*log_, StreamId(stream), type, engine::Actor{"worker:reminders", "worker", "", "system", ""},
                                  std::move(facts), now, idempotency_key)
      .status();
}

Status ReminderWorker::RunOnce() {
  CT_RETURN_IF_ERROR(RunJobs());
  return DeliverOwed();
}

Status ReminderWorker::RunJobs() {
  std::lock_guard lock(run_mu_);
  CatchUp(5000);
  const engine::Timestamp now = clock_->Now();
  int fired = 0;
  for (const auto& r : book_.Due(now)) {
    CT_RETURN_IF_ERROR(Fire(r, now));
    ++fired;
  }
  if (fired) CatchUp(5000);
  // J1 and J3: the follow-up lists whose generation time has passed.
  CT_ASSIGN_OR_RETURN(int lists, GenerateDueLists(*log_, *registry_, book_, now, options_.calendar, &list_memory_));
  CT_ASSIGN_OR_RETURN(int chased, ChaseListFeedback(*log_, *registry_, book_, now, options_.calendar, &list_memory_));
  CT_ASSIGN_OR_RETURN(int unreviewed, CheckMonthlyReviews(*log_, *registry_, now, options_.calendar, &list_memory_));
  if (lists || chased || unreviewed) CatchUp(5000);
  // Retention and snapshots failing must not hold up the rest: reported, retried next pass.
  if (Status s = RunScheduledRetention(now); !s.ok()) spdlog::warn("scheduled retention: {}", s.ToString());
  if (Status s = TakeDueSnapshots(now); !s.ok()) spdlog::warn("period-end snapshots: {}", s.ToString());
  // J8, J9, J12: from the first referral on, like the lists.
  if (const auto earliest = book_.EarliestReferral()) {
    auto gov = RunGovernanceJobs(*log_, ListUnits(*registry_), now, replay::StockholmDate(*earliest), options_.governance,
                                 &governance_memory_);
    if (!gov.ok()) spdlog::warn("governance jobs: {}", gov.status().ToString());
  }
  return Status::Ok();
}

Status ReminderWorker::DeliverOwed() {
  std::lock_guard lock(deliver_mu_);
  std::vector<std::string> channels;
  for (const auto& w : options_.webhooks) channels.push_back(w.channel);
  if (options_.smtp) channels.push_back("email");
  if (channels.empty()) return Status::Ok();
  CatchUp(5000);
  const engine::Timestamp now = clock_->Now();
  // A channel whose log write fails does not hold up the others.
  Status first_error;
  for (const auto& channel : channels) {
    for (const auto& r : book_.Undelivered(channel)) {
      if (Status s = Deliver(r, channel, now); !s.ok()) {
        if (first_error.ok()) first_error = s;
        break;
      }
    }
  }
  CatchUp(5000);
  return first_error;
}

Status ReminderWorker::RunScheduledRetention(engine::Timestamp now) {
  if (!options_.retention || !options_.service) return Status::Ok();
  const std::string today = replay::StockholmDate(now);
  if (retention_ran_on_ == today) return Status::Ok();
  const engine::Timestamp due = replay::StockholmTime(std::stoi(today.substr(0, 4)), std::stoi(today.substr(5, 2)),
                                                      std::stoi(today.substr(8, 2)), options_.retention_hour, 0);
  if (now < due || now < retention_retry_after_) return Status::Ok();
  // Once a day: a run already recorded today (a restart, the route, the CLI) counts, and so does
  // a later one (a manual clock restarts in the past).
  CT_ASSIGN_OR_RETURN(auto last, log_->ReadStream(engine::RetentionRunStream(), StreamVersion(0), storage::Direction::kBackward, 1));
  if (!last.empty()) {
    CT_ASSIGN_OR_RETURN(engine::StoredEvent run, engine::DecodeStored(last[0]));
    if (replay::StockholmDate(run.event.meta.recorded_at) >= today) {
      retention_ran_on_ = today;
      return Status::Ok();
    }
  }
  auto report = engine::RunRetention(*options_.service, *log_, *registry_, *options_.retention, now);
  if (!report.ok()) {
    retention_retry_after_ = now + std::chrono::minutes(15);  // not every pass: the run is heavy
    return report.status();
  }
  retention_ran_on_ = today;
  spdlog::info("scheduled retention run: {} subjects examined, {} erased, {} held", report->examined, report->erased,
               report->held);
  return Status::Ok();
}

Status ReminderWorker::TakeDueSnapshots(engine::Timestamp now) {
  if (!take_snapshot_) return Status::Ok();
  const auto earliest = book_.EarliestReferral();
  if (!earliest) return Status::Ok();
  int taken = 0;
  for (const auto& period : replay::EndedPeriods(replay::StockholmDate(*earliest), replay::StockholmDate(now))) {
    std::vector<std::optional<std::string>> scopes = {std::nullopt};  // the total, then each unit
    for (const auto& u : ListUnits(*registry_)) scopes.emplace_back(u);
    for (const auto& unit : scopes) {
      const std::string key = period + ":" + unit.value_or("all");
      if (snapshots_taken_.count(key)) continue;
      CT_ASSIGN_OR_RETURN(bool first, take_snapshot_(period, unit));
      snapshots_taken_.insert(key);
      taken += first;
    }
  }
  if (taken) spdlog::info("{} period-end indicator snapshot(s) taken", taken);
  return Status::Ok();
}

Status ReminderWorker::Fire(const replay::Reminder& r, engine::Timestamp now) {
  // The timer's id is the idempotency key: a second fire (after a crash, or from another pass)
  // returns the first append and writes nothing.
  CT_RETURN_IF_ERROR(Record("reminder:" + r.case_id, "ReminderFired",
                            {{"reminder_id", r.id}, {"kind", r.kind}, {"case_id", r.case_id},
                             {"due_at", engine::FormatRfc3339(r.due_at)}},
                            now, "reminder:" + r.id));
  spdlog::info("reminder {} fired for case {}", r.kind, r.case_id);
  return Status::Ok();
}

namespace {

// POSTs `body` through libcurl; returns the HTTP status, or 0 when the connection or the TLS
// handshake failed (a certificate that does not verify included) or `timeout` passed (connect,
// handshake, write and read together). No redirects are followed. The delivery id goes both in
// X-Casetrail-Delivery and in the standard Idempotency-Key header (IETF httpapi draft), so
// receivers with generic idempotency middleware drop repeats without code of their own.
int Post(const Webhook& w, const std::string& body, const std::string& delivery_id, const std::string& signature,
         bool redelivery, std::chrono::seconds timeout) {
  CURL* curl = curl_easy_init();
  if (!curl) return 0;
  curl_slist* headers = nullptr;
  for (const std::string& h : {std::string("Content-Type: application/json"), "X-Casetrail-Delivery: " + delivery_id,
                               "Idempotency-Key: \"" + delivery_id + "\"", "X-Casetrail-Signature: sha256=" + signature,
                               std::string("Expect:")}) {
    headers = curl_slist_append(headers, h.c_str());
  }
  if (redelivery) headers = curl_slist_append(headers, "X-Casetrail-Redelivery: 1");
  auto discard = +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; };
  curl_easy_setopt(curl, CURLOPT_URL, w.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!w.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, w.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::chrono::milliseconds(timeout).count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return static_cast<int>(status);
}

std::string HmacHex(const std::string& secret, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return ToHex(std::string_view(reinterpret_cast<const char*>(mac), sizeof(mac)));
}

}  // namespace

Status ReminderWorker::Deliver(const replay::Reminder& r, const std::string& channel, engine::Timestamp now) {
  const std::string outbox = "outbox:" + channel + ":" + r.id;
  const std::string key = channel + ":" + r.id;
  replay::Reminder::Delivery d;
  if (auto it = r.deliveries.find(channel); it != r.deliveries.end()) d = it->second;
  if (r.case_closed) {
    // The case closed (or its consent was withdrawn) before this reached anyone: it is moot.
    CT_RETURN_IF_ERROR(Record(outbox, "DeliveryCancelled", {{"reminder_id", r.id}, {"channel", channel}, {"reason", "case_closed"}},
                              now, "cancelled:" + key));
    spdlog::info("reminder {} for case {} not delivered on {}: the case closed", r.kind, r.case_id, channel);
    return Status::Ok();
  }
  // An attempt without an outcome was cut short by a crash: the receiver may or may not have it.
  // Say so on record, then send it again at once (no backoff: nothing failed) and flagged, so the
  // repeat is accounted for and the receiver's dedupe by id is the only place it can matter.
  const bool redelivery = d.Unresolved();
  if (redelivery) {
    CT_RETURN_IF_ERROR(Record(outbox, "DeliveryInDoubt", {{"reminder_id", r.id}, {"channel", channel}, {"attempt", int64_t{d.attempts}}},
                              now, "in-doubt:" + key + ":" + std::to_string(d.attempts)));
    spdlog::warn("reminder {} for case {}: attempt {} on {} was cut short; sending again as a redelivery", r.kind,
                 r.case_id, d.attempts, channel);
  }
  // Only failures count towards the limit: an attempt in doubt may well have arrived.
  if (d.attempts - d.in_doubt - (redelivery ? 1 : 0) >= options_.max_attempts) {
    CT_RETURN_IF_ERROR(Record(outbox, "DeliveryDeadLettered",
                              {{"reminder_id", r.id}, {"channel", channel}, {"attempts", int64_t{d.attempts}}}, now,
                              "dead:" + key));
    spdlog::warn("reminder {} for case {} dead-lettered on {} after {} attempts", r.kind, r.case_id, channel, d.attempts);
    return Status::Ok();
  }
  if (!redelivery && d.attempts > 0 &&
      now < d.last_attempt_at + options_.backoff * (1 << std::min(d.attempts - 1, 16))) {
    return Status::Ok();  // backing off
  }
  const int attempt = d.attempts + 1;
  // The attempt is on record before the send: a crash mid-delivery is visible in the outbox.
  CT_RETURN_IF_ERROR(Record(outbox, "DeliveryAttempted",
                            {{"reminder_id", r.id}, {"channel", channel}, {"attempt", int64_t{attempt}}, {"redelivery", redelivery}},
                            now, "attempt:" + key + ":" + std::to_string(attempt)));
  bool ok = true;
  int status = 0;
  if (channel != "email") {
    const std::string body = json::serialize(json::object{{"id", r.id},
                                                          {"kind", r.kind},
                                                          {"case_id", r.case_id},
                                                          {"due_at", engine::FormatRfc3339(r.due_at)},
                                                          {"link", "/v1/cases/" + r.case_id}});
    for (const auto& w : options_.webhooks) {
      if (w.channel != channel) continue;
      status = Post(w, body, r.id, HmacHex(w.secret, body), redelivery, options_.send_timeout);
      ok = status >= 200 && status < 300;
    }
  } else {
    const std::string text = "A casetrail reminder is due.\n\nKind: " + r.kind + "\nCase: " + r.case_id +
                             "\nDue: " + engine::FormatRfc3339(r.due_at) + "\nOpen: /v1/cases/" + r.case_id + "\n";
    Status s = SendMail(*options_.smtp, "casetrail reminder: " + r.kind + " " + r.case_id, text, r.id,
                        options_.send_timeout);
    ok = s.ok();
    status = ok ? 250 : 0;
  }
  CT_FAILPOINT("deliver-after-response");  // crash tests: die between the receiver's answer and its record
  if (ok) {
    return Record(outbox, "DeliverySucceeded", {{"reminder_id", r.id}, {"channel", channel}, {"attempt", int64_t{attempt}}},
                  clock_->Now(), "delivered:" + key);
  }
  return Record(outbox, "DeliveryFailed",
                {{"reminder_id", r.id}, {"channel", channel}, {"attempt", int64_t{attempt}}, {"status", int64_t{status}}},
                clock_->Now());
}

}  // namespace casetrail::adapters
