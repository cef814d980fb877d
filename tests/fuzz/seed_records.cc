// Writes the seed corpus of the "records" fuzz target: one valid value of each decoded kind,
// made by the real encoders, each prefixed with the target's selector byte. Run by hand when an
// encoder changes: seed_records tests/fuzz/corpus/records
#include <cstdio>
#include <fstream>
#include <string>

#include "engine/event.h"
#include "engine/snapshot_codec.h"
#include "storage/internal/codec.h"
#include "storage/internal/signer.h"

using namespace casetrail;

namespace {

void Write(const std::string& dir, const std::string& name, char selector, const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << selector << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seed_records DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  engine::Event event;
  event.type = "ReferralSubmitted";
  event.meta.actor = {"A-J1", "af_officer", "jarva", "bankid", ""};
  event.meta.legal_basis = "public_task";
  event.meta.workflow = "study-referral";
  event.meta.revision = 1;
  event.meta.subject_id = "S-1";
  event.meta.command = "SubmitReferral";
  event.facts = {{"unit", std::string("jarva")}, {"rom_participant", true}, {"count", int64_t{3}},
                 {"scopes", std::vector<std::string>{"transfer_referral", "share_guidance"}}};
  event.outcome = engine::CaseOutcome{"referred", std::nullopt, std::nullopt};
  const std::string envelope = engine::EncodeEvent(event);

  const std::string record = storage::internal::EncodeRecord(StreamId("case-C-1"), StreamVersion(1), event.type, envelope);
  storage::Hash prev{};
  const storage::Hash hash = storage::internal::ChainHash(prev, Position(7), record);
  Write(dir, "stored_value", 0, storage::internal::MakeStoredValue(prev, hash, record));

  storage::internal::IdempotencyRecord idem{"fingerprint", {Position(7), Position(9), {StreamVersion(1), StreamVersion(4)}, false}};
  Write(dir, "idempotency", 1, storage::internal::EncodeIdempotency(idem));

  storage::Checkpoint checkpoint;
  checkpoint.position = Position(7);
  checkpoint.hash = hash;
  Write(dir, "checkpoint", 2, storage::internal::EncodeCheckpointValue(checkpoint));
  Write(dir, "envelope", 3, envelope);
  Write(dir, "sealed_fields", 4, engine::EncodeFields({{"name", std::string("Tolvan")}, {"phone", std::monostate{}}}));

  engine::CaseState state;
  state.case_id = "C-1";
  state.subject_id = "S-1";
  state.unit = "jarva";
  state.state = "studying";
  state.pace = "full_time";
  state.workflow = "study-referral";
  state.revision = 1;
  state.version = 5;
  state.facts = event.facts;
  Write(dir, "snapshot", 5, engine::EncodeSnapshot(state));
  return 0;
}
