// Import of referrals from CSV (docs/operations.md "Importing referrals"): one row per person,
// registered, given consent and referred as the AF officer of the row's unit (offline), or as
// the token's user (`--url`: an officer imports the rows of their own unit; others are refused
// as `forbidden`). Everything goes through the API, so the answer is the same either way. An
// erased person's number is registered afresh (the lookup no longer finds them).
//
// Columns (header row required, any order; * required):
//   personal_number*, name*, gender, phone, email, unit*, channel*, long_term_unemployed*,
//   lacks_upper_secondary*, resident_stockholm*, rom_participant*, need_assessed*,
//   consent_scopes (space- or semicolon-separated; default all three), consent_method*
//   (signed_form|bankid|verbal), evidence_ref, note
// Booleans: true/false, yes/no, ja/nej, 1/0.
//
// Every row is checked in full before anything of it is written (UTF-8 of every cell, number,
// codes, booleans, the target-group guard, the consent scopes a referral needs, an open case of
// the same person), so a bad row writes nothing; good rows are kept. Writes carry idempotency keys derived from the file
// and line, so re-running an interrupted import does not duplicate consents or cases. Errors
// name the line, the code and the column, never a value.
#pragma once

#include <string>

#include "adapters/cli/api_client.h"
#include "storage/base/result.h"

namespace casetrail::adapters {

struct ImportReport {
  int rows = 0;
  int imported = 0;
  int rejected = 0;
};

// Reports bad rows on stderr as "line N: code (column)".
Result<ImportReport> ImportReferralsCsv(ApiClient& api, const std::string& path);

}  // namespace casetrail::adapters
