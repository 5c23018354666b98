// libFuzzer target for the AIP-160 filter parser (common/filter.h): parses
// the input as a filter, resolves it against a schema shaped like the
// catalog's product and trial schemas (every field type, a normaliser, the
// registry-ID normaliser) and evaluates it over a few in-memory records; the
// same bytes are also parsed as an order_by. Besides crashes it aborts when a
// rejection is not INVALID_ARGUMENT, or its message is long or not UTF-8, and
// when resolving a resolved filter changes it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "common/filter.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"

namespace regenatlas::filter {
namespace {

// Longest acceptable error message: the fixed text, the schema's field or
// enum names, and at most kMaxQuotedBytes of the input per quote.
constexpr size_t kMaxMessageBytes = 640;

// A field as the catalog spells enum fields: full names with a prefix.
FieldSpec Enum(std::string prefix, std::vector<std::string> shorts, bool ordered = false) {
  FieldSpec spec;
  spec.type = FieldType::kEnum;
  spec.enum_prefix = prefix;
  spec.enum_values.push_back(prefix + "UNSPECIFIED");
  for (const std::string& s : shorts) spec.enum_values.push_back(prefix + s);
  spec.ordered = ordered;
  return spec;
}

const Schema& TestSchema() {
  static const auto* schema = [] {
    auto* s = new Schema;
    (*s)["cell_source"] = Enum("CELL_SOURCE_", {"HESC", "HIPSC", "MSC"});
    (*s)["product.cell_source"] = (*s)["cell_source"];
    (*s)["stage"] = Enum("DEVELOPMENT_STAGE_", {"PRECLINICAL", "PHASE_1", "PHASE_2", "APPROVED"},
                         /*ordered=*/true);
    (*s)["gene_edited"].type = FieldType::kBool;
    (*s)["start_year"].type = FieldType::kInt;
    (*s)["start_year"].ordered = true;
    FieldSpec& sponsor = (*s)["sponsor"];
    sponsor.type = FieldType::kResource;
    sponsor.collection = "organizations";
    sponsor.repeated = true;
    FieldSpec& country = (*s)["country"];
    country.repeated = true;
    country.normalize = [](absl::string_view v) -> std::optional<std::string> {
      if (v.size() != 2 || !absl::ascii_isalpha(v[0]) || !absl::ascii_isalpha(v[1])) {
        return std::nullopt;
      }
      return absl::AsciiStrToUpper(v);
    };
    FieldSpec& registry_id = (*s)["registry_id"];
    registry_id.repeated = true;
    registry_id.normalize = [](absl::string_view v) -> std::optional<std::string> {
      absl::StatusOr<common::v1::RegistryId> id = catalog::ParseRegistryId(v, "filter");
      if (!id.ok()) return std::nullopt;
      return id->id();
    };
    (*s)["title"];  // A plain string field.
    return s;
  }();
  return *schema;
}

// A few records, field -> values, answering Match by scanning.
class FakePostings : public Postings {
 public:
  FakePostings() {
    records_["a"] = {{"cell_source", {"CELL_SOURCE_HIPSC"}},
                     {"stage", {"DEVELOPMENT_STAGE_PHASE_1"}},
                     {"start_year", {"2021"}},
                     {"sponsor", {"organizations/cuorips"}},
                     {"country", {"JP", "US"}},
                     {"registry_id", {"NCT05068674"}}};
    records_["b"] = {{"cell_source", {"CELL_SOURCE_HESC"}},
                     {"gene_edited", {"true"}},
                     {"start_year", {"2015"}},
                     {"country", {"CN"}}};
    records_["c"] = {{"title", {"heart sheet"}}};
  }

  absl::StatusOr<std::vector<std::string>> Match(const std::string& field, const FieldSpec& spec,
                                                 Op op, const std::string& value) override {
    if (op == Op::kNe) std::abort();  // The evaluator must derive != from =.
    std::vector<std::string> ids;
    for (const auto& [id, fields] : records_) {
      auto it = fields.find(field);
      if (it == fields.end()) continue;
      for (const std::string& v : it->second) {
        if (Compare(spec, op, v, value)) {
          ids.push_back(id);
          break;
        }
      }
    }
    return ids;
  }

  absl::StatusOr<std::vector<std::string>> All() override {
    std::vector<std::string> ids;
    for (const auto& [id, fields] : records_) ids.push_back(id);
    return ids;
  }

 private:
  static bool Compare(const FieldSpec& spec, Op op, const std::string& have,
                      const std::string& want) {
    if (op == Op::kHas && want == "*") return true;
    if (op == Op::kEq || op == Op::kHas) return have == want;
    int c = have.compare(want);
    int64_t a = 0;
    int64_t b = 0;
    if (spec.type == FieldType::kInt && absl::SimpleAtoi(have, &a) && absl::SimpleAtoi(want, &b)) {
      c = a < b ? -1 : a > b ? 1 : 0;
    }
    switch (op) {
      case Op::kLt:
        return c < 0;
      case Op::kLe:
        return c <= 0;
      case Op::kGt:
        return c > 0;
      case Op::kGe:
        return c >= 0;
      default:
        return false;
    }
  }

  std::map<std::string, std::map<std::string, std::vector<std::string>>> records_;
};

// Aborts (a finding) unless `status` is a short, UTF-8 INVALID_ARGUMENT
// starting with `prefix`.
void CheckRejection(const absl::Status& status, absl::string_view prefix) {
  const absl::string_view message = status.message();
  if (status.code() != absl::StatusCode::kInvalidArgument ||
      message.substr(0, prefix.size()) != prefix || message.size() > kMaxMessageBytes ||
      !catalog::IsValidUtf8(message)) {
    std::fprintf(stderr, "bad rejection: %s\n", status.ToString().c_str());
    std::abort();
  }
}

}  // namespace
}  // namespace regenatlas::filter

// libFuzzer entry point: one filter (and order_by) per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regenatlas::filter;  // NOLINT(build/namespaces)
  const absl::string_view text(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<std::unique_ptr<Node>> node = Parse(text);
  if (!node.ok()) {
    CheckRejection(node.status(), "filter: ");
  } else {
    const Schema& schema = TestSchema();
    absl::Status resolved = Resolve(node->get(), schema);
    if (!resolved.ok()) {
      CheckRejection(resolved, "filter: ");
    } else {
      // Canonical values are fixed points: resolving again changes nothing.
      const std::string canonical = Canonical(node->get());
      if (!Resolve(node->get(), schema).ok() || Canonical(node->get()) != canonical) {
        std::fprintf(stderr, "resolving twice changed %s\n", canonical.c_str());
        std::abort();
      }
      // Evaluation answers sorted, unique ids.
      FakePostings postings;
      absl::StatusOr<std::vector<std::string>> ids = Evaluate(node->get(), schema, postings);
      if (!ids.ok()) std::abort();
      for (size_t i = 1; i < ids->size(); ++i) {
        if (!((*ids)[i - 1] < (*ids)[i])) std::abort();
      }
    }
  }

  absl::StatusOr<std::vector<OrderTerm>> order =
      ParseOrderBy(text, {"display_name", "start_date", "highest_stage"});
  if (!order.ok()) CheckRejection(order.status(), "order_by: ");
  return 0;
}
