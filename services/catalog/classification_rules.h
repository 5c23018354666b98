#ifndef REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_RULES_H_
#define REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_RULES_H_

// Internals of the trial classifier (classification.h): text normalisation,
// the pattern language and the compiled rules file. Used by classification.cc
// and its tests only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/catalog/classification.h"

namespace regenatlas::catalog::classification {

// Text prepared for matching: ASCII letters lower-cased, full-width ASCII
// mapped to ASCII, white space, hyphens, dashes, slashes and underscores
// collapsed to one space, apostrophes dropped, no space next to a CJK
// character ("CAR-T 细胞" → "car t细胞"), everything else kept. Each byte
// remembers where it came from, so a match maps back to the text as printed.
struct NormalizedText {
  enum ByteClass : uint8_t { kOther = 0, kWord = 1, kCjk = 2 };

  std::string text;
  // Per byte of `text`: its class (kWord: ASCII letters and digits and
  // non-CJK, non-punctuation code points; kCjk: CJK ideographs and kana).
  std::vector<uint8_t> classes;
  // Per byte of `text`: begin and end offset of its character in the original.
  std::vector<int> origin_begin;
  std::vector<int> origin_end;
  // Offsets in `text` where a word starts: a run of kWord bytes, or one CJK
  // character.
  std::vector<int> word_starts;

  // Which 3-byte sequences of `text` occur, hashed to kTrigramBits bits
  // (set by Normalize; empty = unknown, every pattern is tried). A pattern
  // whose first literal's first three bytes are absent cannot match: most
  // rules are skipped without scanning the text.
  static constexpr int kTrigramBits = 4096;
  std::vector<uint64_t> trigrams;
  static int TrigramOf(absl::string_view three);
  bool MayContain(int trigram) const {
    return trigrams.empty() || ((trigrams[trigram >> 6] >> (trigram & 63)) & 1) != 0;
  }

  // Number of words that start in [from, to).
  int WordsBetween(int from, int to) const;
  // The original text of the normalised span [begin, end).
  std::string Original(absl::string_view original, int begin, int end) const;
};
NormalizedText Normalize(absl::string_view text);

struct Span {
  int begin = 0;
  int end = 0;
  bool Overlaps(const Span& o) const { return begin < o.end && o.begin < end; }
  bool Contains(const Span& o) const { return begin <= o.begin && o.end <= end; }
};

// A phrase of the rules file, normalised like the text. `*` after a word
// matches any continuation of word characters ("exosome*" = exosome,
// exosomes). A pattern that starts (ends) with a word character matches only
// at a word start (end); CJK needs no boundaries.
class Pattern {
 public:
  // Error message (without location) when `written` is not a valid pattern.
  static absl::StatusOr<Pattern> Compile(absl::string_view written);
  // Every occurrence in `text`, by start, overlapping ones included.
  void FindAll(const NormalizedText& text, std::vector<Span>* out) const;
  const std::string& written() const { return written_; }

 private:
  std::string written_;
  std::vector<std::string> parts_;  // literals between the wildcards
  bool boundary_left_ = false;
  bool boundary_right_ = false;  // no trailing wildcard and ends in a word byte
  int trigram_ = -1;             // of parts_[0]'s first three bytes; -1 = shorter
};

enum class Attribute { kCellType, kCellSource, kAllogeneity, kGeneModified };
inline constexpr int kAttributeCount = 4;
absl::string_view AttributeName(Attribute attribute);
// Values an attribute may take (see Classification).
const std::vector<std::string>& KnownValues(Attribute attribute);
inline constexpr int kFieldCount = 7;
using FieldSet = uint32_t;  // bit i = TextField i

// A rule whose match must be close to a cell mention (a match of a rule that
// sets cell_type) in the same text: at most `before` words between the match
// and a mention after it; at most `after` words between a mention and the
// match after it, and those words must contain one of `after_via` when given.
// Negative = that direction is not allowed.
struct Near {
  int before = -1;
  int after = -1;
  std::vector<Pattern> after_via;
};

struct Exclusion {
  std::string id;
  std::vector<Pattern> patterns;
  FieldSet fields = 0;
  // Cancel only matches inside the exclusion's match, not overlapping ones.
  bool only_contained = false;
};

struct Rule {
  std::string id;
  std::vector<Pattern> patterns;
  FieldSet fields = 0;
  // Patterns that cancel this rule's overlapping matches only.
  std::vector<Pattern> exclude;
  int priority = 0;
  // Values of a fallback rule count only when no other rule gives the attribute.
  bool fallback = false;
  std::vector<std::pair<Attribute, std::string>> set;
  bool sets_cell_type = false;
  // Cell types this rule's match removes from the same text ("*" = all, except
  // those of other suppressing rules).
  std::vector<std::string> suppress_types;
  // ... unless one of these stands between the two ("MSCs and exosomes" are
  // two products).
  std::vector<Pattern> suppress_unless_between;
  std::optional<Near> near;
};

struct RuleSet {
  std::vector<Exclusion> exclusions;
  std::vector<Rule> rules;
  // attribute → default value when the trial is a cell therapy and no rule
  // gives one.
  std::vector<std::pair<Attribute, std::string>> defaults;
};

// Parses and validates a rules file (see docs/import.md#classification).
absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRuleSet(absl::string_view json,
                                                            absl::string_view origin);

}  // namespace regenatlas::catalog::classification

#endif  // REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_RULES_H_
