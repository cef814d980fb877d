// Meetings and follow-up lists: POST/GET /v1/meetings, GET /v1/lists/monthly,
// GET /v1/lists/progression, POST /v1/lists/progression/publish (api_lists.cc); what the meeting
// needs per row, GET /v1/lists/monthly/rows, and AF's choice of whom to ask about on the
// quarterly list, POST/GET /v1/lists/progression/selection (api_list_rows.cc).
#pragma once

#include <optional>
#include <string>

#include "adapters/http/routes.h"
#include "adapters/workers/list_jobs.h"
#include "adapters/workers/reminder_worker.h"

namespace casetrail::adapters {

class ListRoutes : private ModelChecks {
 public:
  struct Deps {
    storage::Log* log = nullptr;
    engine::CaseService* service = nullptr;
    engine::SubjectKeys* keys = nullptr;  // the names on the monthly list's rows
    const engine::DefinitionRegistry* registry = nullptr;
    engine::Clock* clock = nullptr;
    ReminderWorker* worker = nullptr;  // generates the lists; caught up before one is read
  };
  explicit ListRoutes(Deps deps) : ModelChecks(deps.service), d_(std::move(deps)) {}
  void Register(RouteTable& routes);

 private:
  ApiResponse RecordMeeting(Call& c);
  ApiResponse ListMeetings(Call& c);
  ApiResponse GetList(Call& c, const std::string& kind);
  ApiResponse PublishProgressionList(Call& c);
  ApiResponse GetMonthlyListRows(Call& c);       // api_list_rows.cc
  ApiResponse SelectProgressionCases(Call& c);   // api_list_rows.cc
  ApiResponse GetProgressionSelection(Call& c);  // api_list_rows.cc
  // The list `id` once the worker has caught up (it generates the lists); NotFound, "the list has
  // not been generated yet", when there is none.
  Result<StoredList> GeneratedList(const std::string& id);

  Deps d_;
};

// A month "YYYY-MM" and a quarter "YYYY-Qn", as the list routes name periods.
bool IsMonthLabel(const std::string& v);
bool IsQuarterLabel(const std::string& v);

}  // namespace casetrail::adapters
