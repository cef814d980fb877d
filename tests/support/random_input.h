// Random but mostly valid command input for property tests: a seeded generator and field values
// that fit a command's field specs (sometimes wrong on purpose, to exercise refusals).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "engine/definition.h"
#include "engine/value.h"

namespace casetrail::testing {

using engine::Value;

class RandomInput {
 public:
  explicit RandomInput(uint32_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Int(0, static_cast<int>(v.size()) - 1)]; }

  // Mostly valid values for `spec`; sometimes wrong on purpose.
  Value For(const engine::FieldSpec& spec, const engine::WorkflowDefinition& def, engine::Timestamp now,
            const std::string& unit) {
    if (Chance(3)) return Value{int64_t{42}};  // wrong type for most fields
    switch (spec.type) {
      case engine::FieldType::kBool: return Value{Chance(80)};
      case engine::FieldType::kInt: return Value{int64_t{Int(1, 3)}};
      case engine::FieldType::kCode: return Value{Pick(def.codes.at(spec.codes))};
      case engine::FieldType::kCodes: return Value{std::vector<std::string>{Pick(def.codes.at(spec.codes))}};
      case engine::FieldType::kDate: return Value{engine::FormatRfc3339(now).substr(0, 10)};
      case engine::FieldType::kTime:
        return Value{engine::FormatRfc3339(now + std::chrono::hours(Int(-48, 240)))};
      case engine::FieldType::kId:
        return Chance(50) ? Value{"monthly:" + (Chance(90) ? unit : std::string("city")) + ":2025-03"}
                          : Value{"progression:" + unit + ":2025-Q2"};
      case engine::FieldType::kText: return Value{std::string("note ") + std::to_string(Int(0, 999))};
    }
    return Value{};
  }

 private:
  std::mt19937 rng_;
};

}  // namespace casetrail::testing
