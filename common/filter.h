#ifndef REGENATLAS_COMMON_FILTER_H_
#define REGENATLAS_COMMON_FILTER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas::filter {

// The AIP-160 subset RegenAtlas understands (docs/catalog.md has the user
// documentation):
//
//   filter     := expression
//   expression := sequence { "AND" sequence }
//   sequence   := factor { factor }            (juxtaposition means AND)
//   factor     := term { "OR" term }           (OR binds tighter than AND)
//   term       := [ "NOT" | "-" ] simple
//   simple     := "(" expression ")" | field op value
//   op         := "=" | "!=" | "<" | "<=" | ">" | ">=" | ":"
//   value      := "quoted string" | bare-word | "*" (only after ":")
//
// `:` means "has": for a repeated field, any element equals the value;
// `field:*` means the field is set.

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kHas };

// A node of a parsed filter.
struct Node {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<std::unique_ptr<Node>> children;
  // kCompare only.
  std::string field;
  Op op = Op::kEq;
  std::string value;
  // Byte offset in the filter text, for error messages.
  size_t position = 0;
};

// The longest filter Parse accepts, in bytes.
inline constexpr size_t kMaxFilterLength = 8192;

// The deepest nesting Parse accepts. Every "(" and every NOT or "-" prefix
// opens one level, so "NOT (a = 1)" is two levels deep. Real filters need a
// handful; the limit keeps the recursive-descent parser (and everything that
// walks the tree it builds) far from the end of the stack whatever the input.
inline constexpr int kMaxFilterDepth = 32;

// The most bytes of the user's text an error message quotes (a field name, a
// value, an unexpected token); longer text is cut at a UTF-8 character
// boundary and marked with "...".
inline constexpr size_t kMaxQuotedBytes = 64;

// Parses `text`; an empty or blank filter gives nullptr. INVALID_ARGUMENT
// "filter: ..." with the position of the problem, including for a filter
// longer than kMaxFilterLength or nested deeper than kMaxFilterDepth.
absl::StatusOr<std::unique_ptr<Node>> Parse(absl::string_view text);

// How values of a filterable field are typed.
enum class FieldType {
  kString,    // compared as given (after the field's normaliser)
  kEnum,      // accepts the enum value's full or short name, any case
  kInt,       // decimal integer; ordered comparisons use numeric order
  kBool,      // true / false
  kResource,  // "collection/id" or just "id"
};

// A field the filter may name.
struct FieldSpec {
  FieldType type = FieldType::kString;
  bool repeated = false;
  // kEnum: enum type prefix ("CELL_SOURCE_") and the valid full names.
  std::string enum_prefix;
  std::vector<std::string> enum_values;
  // kResource: the collection ("indications").
  std::string collection;
  // Optional extra normalisation of string values (e.g. upper-casing
  // country codes); returns nullopt for an invalid value.
  std::function<std::optional<std::string>(absl::string_view)> normalize;
  // Whether <, <=, >, >= are allowed.
  bool ordered = false;
};

using Schema = std::map<std::string, FieldSpec>;

// Checks every comparison against `schema` and rewrites values to their
// canonical form (full enum names, "collection/id", "true"/"false", decimal
// ints). INVALID_ARGUMENT "filter: ..." naming the unknown field, the bad
// value or the operator the field does not support.
absl::Status Resolve(Node* node, const Schema& schema);

// A canonical text of a resolved filter: equal filters give equal strings
// (used to bind page tokens to their query).
std::string Canonical(const Node* node);

// Index-backed evaluation: the owner of the records supplies the posting
// lists; the evaluator combines them. Every id list is sorted and unique.
class Postings {
 public:
  virtual ~Postings() = default;
  // Ids whose `field` compares `op` to `value` (a canonical value; never
  // kNe, which the evaluator derives from kEq).
  virtual absl::StatusOr<std::vector<std::string>> Match(const std::string& field,
                                                         const FieldSpec& spec, Op op,
                                                         const std::string& value) = 0;
  // Every id (needed only for a negation with nothing to subtract it from).
  virtual absl::StatusOr<std::vector<std::string>> All() = 0;
};

// The sorted ids matching a resolved filter (all ids for nullptr).
absl::StatusOr<std::vector<std::string>> Evaluate(const Node* node, const Schema& schema,
                                                  Postings& postings);

// One `order_by` term.
struct OrderTerm {
  std::string field;
  bool descending = false;
};

// Parses "field [asc|desc], ..." against the allowed fields. Empty → {}.
// INVALID_ARGUMENT "order_by: ..." otherwise.
absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(absl::string_view text,
                                                    const std::vector<std::string>& allowed);

}  // namespace regenatlas::filter

#endif  // REGENATLAS_COMMON_FILTER_H_
