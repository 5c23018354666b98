// Value normalisation for registry files (registry_values.h): dates, status,
// phase, countries, IDs, target sizes, lists.

#include "services/catalog/registry_values.h"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DevelopmentStage;
using v1::TrialStatus;

bool IsSpaceByte(char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); }

// ICTRP writes HTML line breaks into its text fields; as plain text they are
// line breaks.
std::string BreaksToNewlines(absl::string_view text) {
  return absl::StrReplaceAll(text,
                             {{"<br />", "\n"}, {"<br/>", "\n"}, {"<br>", "\n"}, {"<BR>", "\n"}});
}

// Lower-case ASCII words of `text`, every other ASCII byte a separator;
// multi-byte UTF-8 sequences are kept as word characters.
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || absl::ascii_isalnum(u)) {
      word += static_cast<char>(absl::ascii_tolower(u));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string Key(absl::string_view text) { return absl::StrJoin(Words(text), " "); }

// ---- Dates ---------------------------------------------------------------

int MonthFromName(absl::string_view word) {
  static constexpr std::array<const char*, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (word.size() < 3) return 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    const absl::string_view name = kMonths[i];
    if (word == name || word == name.substr(0, 3) || (i == 8 && word == "sept")) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

absl::Status DateError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not a date ", why));
}

// Numbers and words of a printed date, in order.
struct DateParts {
  std::vector<std::string> numbers;  // Digit runs.
  std::vector<std::string> words;    // Letter runs, lower case.
  std::string separators;            // The punctuation between numbers, in order.
};

DateParts SplitDate(absl::string_view text) {
  DateParts parts;
  std::string current;
  bool digits = false;
  auto flush = [&] {
    if (current.empty()) return;
    (digits ? parts.numbers : parts.words).push_back(current);
    current.clear();
  };
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool is_digit = absl::ascii_isdigit(u);
    const bool is_alpha = absl::ascii_isalpha(u);
    if ((is_digit || is_alpha) && (current.empty() || is_digit == digits)) {
      digits = is_digit;
      current += static_cast<char>(absl::ascii_tolower(u));
      continue;
    }
    flush();
    if (is_digit || is_alpha) {
      digits = is_digit;
      current += static_cast<char>(absl::ascii_tolower(u));
    } else if (!IsSpaceByte(c) && c != ',') {
      parts.separators += c;
    }
  }
  flush();
  return parts;
}

int ToInt(absl::string_view digits) {
  int v = 0;
  if (digits.size() > 4 || !absl::SimpleAtoi(digits, &v)) return -1;
  return v;
}

}  // namespace

std::string CleanText(absl::string_view text) {
  const std::string plain = BreaksToNewlines(text);
  std::string out;
  out.reserve(plain.size());
  bool space = false;
  for (char c : plain) {
    if (IsSpaceByte(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string PrintableUtf8(absl::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80) {
      out += c;
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
    }
  }
  return out;
}

std::vector<std::string> SplitList(absl::string_view text, absl::string_view separators) {
  const std::string plain = BreaksToNewlines(text);
  std::vector<std::string> out;
  for (absl::string_view item :
       absl::StrSplit(plain, absl::ByAnyChar(absl::StrCat(separators, "\n\r")))) {
    std::string clean = CleanText(item);
    if (!clean.empty()) out.push_back(std::move(clean));
  }
  return out;
}

absl::StatusOr<PrintedDate> ParseRegistryDate(absl::string_view text) {
  PrintedDate out;
  out.printed = CleanText(text);
  const absl::string_view t = out.printed;
  if (t.empty()) return out;
  // 2020年2月17日 / 2020年2月: the CJK units are separators with a fixed order.
  std::string ascii = absl::StrReplaceAll(t, {{"年", "-"}, {"月", "-"}, {"日", ""}});
  while (!ascii.empty() && ascii.back() == '-') ascii.pop_back();
  const DateParts p = SplitDate(ascii);
  int year = 0, month = 0, day = 0;
  if (p.words.size() == 1 && (p.numbers.size() == 1 || p.numbers.size() == 2)) {
    // "February 2020", "February 9, 2020", "17 February 2020", "17-Feb-2020".
    month = MonthFromName(p.words[0]);
    if (month == 0) return DateError(t, absl::StrCat("(unknown month \"", p.words[0], "\")"));
    const std::string& last = p.numbers.back();
    if (last.size() != 4) return DateError(t, "(the year must have 4 digits and come last)");
    year = ToInt(last);
    if (p.numbers.size() == 2) {
      if (p.numbers[0].size() > 2) return DateError(t, "(day has more than 2 digits)");
      day = ToInt(p.numbers[0]);
    }
  } else if (!p.words.empty()) {
    return DateError(t, "(expected a form like 2020-02-17, 17/02/2020 or February 17, 2020)");
  } else if (p.numbers.size() == 1 && p.numbers[0].size() == 8 && p.separators.empty()) {
    // 20200217
    year = ToInt(p.numbers[0].substr(0, 4));
    month = ToInt(p.numbers[0].substr(4, 2));
    day = ToInt(p.numbers[0].substr(6, 2));
  } else if (p.numbers.size() >= 1 && p.numbers.size() <= 3 && p.numbers[0].size() == 4) {
    // 2020, 2020-02, 2020-02-17, 2020/2/17, 2020.2.17
    year = ToInt(p.numbers[0]);
    for (size_t i = 1; i < p.numbers.size(); ++i) {
      if (p.numbers[i].size() > 2) return DateError(t, "(month and day have 1 or 2 digits)");
    }
    if (p.numbers.size() >= 2) month = ToInt(p.numbers[1]);
    if (p.numbers.size() == 3) day = ToInt(p.numbers[2]);
  } else if (p.numbers.size() == 3 && p.numbers[2].size() == 4 && p.numbers[0].size() <= 2 &&
             p.numbers[1].size() <= 2) {
    // 17/02/2020 (ICTRP's day first); 3/18/2020 only where 18 cannot be a month.
    day = ToInt(p.numbers[0]);
    month = ToInt(p.numbers[1]);
    if (month > 12 && day <= 12) std::swap(day, month);
    year = ToInt(p.numbers[2]);
  } else {
    return DateError(t, "(expected a form like 2020-02-17, 17/02/2020 or February 17, 2020)");
  }
  if (p.separators.size() > 2) return DateError(t, "(too many separators)");
  out.date.set_year(year);
  out.date.set_month(month);
  out.date.set_day(day);
  if (absl::Status s = ValidatePartialDate(out.date, "date"); !s.ok()) {
    absl::string_view why = s.message();
    // "date.month: 13 is not a month ..." without the field name.
    if (size_t colon = why.find(": "); colon != absl::string_view::npos) {
      why.remove_prefix(colon + 2);
    }
    return DateError(t, absl::StrCat("(", why, ")"));
  }
  return out;
}

PrintedStatus NormalizeStatus(absl::string_view text) {
  // UNSPECIFIED entries are known spellings that name no single status.
  static const auto* const kStatuses = new std::map<std::string, TrialStatus>{
      {"recruiting", v1::TRIAL_STATUS_RECRUITING},
      {"open", v1::TRIAL_STATUS_RECRUITING},
      {"not recruiting", v1::TRIAL_STATUS_UNSPECIFIED},
      {"not yet recruiting", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"pending", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"active not recruiting", v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING},
      {"enrolling by invitation", v1::TRIAL_STATUS_ENROLLING_BY_INVITATION},
      {"completed", v1::TRIAL_STATUS_COMPLETED},
      {"complete", v1::TRIAL_STATUS_COMPLETED},
      {"suspended", v1::TRIAL_STATUS_SUSPENDED},
      {"temporarily halted", v1::TRIAL_STATUS_SUSPENDED},
      {"terminated", v1::TRIAL_STATUS_TERMINATED},
      {"stopped", v1::TRIAL_STATUS_TERMINATED},
      {"prematurely ended", v1::TRIAL_STATUS_TERMINATED},
      {"withdrawn", v1::TRIAL_STATUS_WITHDRAWN},
      {"unknown", v1::TRIAL_STATUS_UNKNOWN},
      {"unknown status", v1::TRIAL_STATUS_UNKNOWN},
      {"ongoing", v1::TRIAL_STATUS_UNSPECIFIED},
      {"authorised", v1::TRIAL_STATUS_UNSPECIFIED},
      {"authorized", v1::TRIAL_STATUS_UNSPECIFIED},
      {"available", v1::TRIAL_STATUS_UNSPECIFIED},
      {"no longer available", v1::TRIAL_STATUS_UNSPECIFIED},
      {"temporarily not available", v1::TRIAL_STATUS_UNSPECIFIED},
      {"approved for marketing", v1::TRIAL_STATUS_UNSPECIFIED},
      {"withheld", v1::TRIAL_STATUS_UNSPECIFIED},
  };
  PrintedStatus out;
  out.printed = CleanText(text);
  auto it = kStatuses->find(Key(out.printed));
  if (it != kStatuses->end()) {
    out.status = it->second;
    out.known = true;
  }
  return out;
}

namespace {

// One word of a phase text as a phase number (0..4), -1 when it is none:
// "2", "2a", "ii", "iib", "phase2".
int PhaseNumber(absl::string_view word) {
  if (absl::StartsWith(word, "phase")) word.remove_prefix(5);
  if (word.size() >= 2 && (word.back() == 'a' || word.back() == 'b' || word.back() == 'c')) {
    const absl::string_view stem = word.substr(0, word.size() - 1);
    // "iia" → "ii"; but "a" alone, and roman "iv"+"a"... keep to real stems.
    // One recursive call, not two: two made a word of many trailing a/b/c
    // letters take exponential time (found by ictrp_xml_fuzzer).
    const int n = PhaseNumber(stem);
    if (n > 0) return n;
  }
  if (word.size() == 1 && word[0] >= '0' && word[0] <= '4') return word[0] - '0';
  if (word == "i") return 1;
  if (word == "ii") return 2;
  if (word == "iii") return 3;
  if (word == "iv") return 4;
  return -1;
}

}  // namespace

PrintedPhase NormalizePhase(absl::string_view text) {
  static const auto* const kNoPhase =
      new std::set<std::string>{"n a",
                                "na",
                                "not applicable",
                                "none",
                                "not specified",
                                "other",
                                "retrospective study",
                                "new treatment measure clinical study",
                                "post marketing",
                                "phase 4",
                                "4",
                                "iv",
                                "phase iv",
                                "phase4"};
  PrintedPhase out;
  out.printed = CleanText(text);
  if (out.printed.empty()) return out;
  // Roman numerals, CJK digits and the CJK words for phase read as ASCII.
  const std::string ascii = absl::StrReplaceAll(
      out.printed, {{"Ⅰ", " i "},  {"Ⅱ", " ii "},  {"Ⅲ", " iii "}, {"Ⅳ", " iv "}, {"ⅰ", " i "},
                    {"ⅱ", " ii "}, {"ⅲ", " iii "}, {"ⅳ", " iv "},  {"一", " 1 "}, {"二", " 2 "},
                    {"三", " 3 "}, {"四", " 4 "},  {"０", "0"},    {"１", "1"},   {"２", "2"},
                    {"３", "3"},   {"４", "4"},    {"期", " "},    {"相", " "},   {"第", " "}});
  const std::string key = Key(ascii);
  if (kNoPhase->count(key) > 0) {
    out.known = true;
    return out;
  }
  std::set<int> phases;
  bool early = false;
  bool said_phase = false;
  for (const std::string& word : Words(ascii)) {
    if (word == "phase") {
      said_phase = true;
      continue;
    }
    if (word == "early") {
      early = true;
      continue;
    }
    const int n = PhaseNumber(word);
    if (n < 0) return out;  // A word that is not about phases: keep as printed.
    if (absl::StartsWith(word, "phase")) said_phase = true;
    phases.insert(n);
  }
  using S = std::set<int>;
  if (phases == S{0}) {
    // ChiCTR's bare "0" is its default for studies without a phase, not
    // phase 0; only "Phase 0" says so.
    if (said_phase) {
      out.stage = common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1;
      out.known = true;
    }
    return out;
  }
  if (early) {
    if (phases == S{1}) {
      out.stage = common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1;
      out.known = true;
    }
    return out;
  }
  static const auto* const kStages = new std::map<S, DevelopmentStage>{
      {S{1}, common::v1::DEVELOPMENT_STAGE_PHASE_1},
      {S{1, 2}, common::v1::DEVELOPMENT_STAGE_PHASE_1_2},
      {S{2}, common::v1::DEVELOPMENT_STAGE_PHASE_2},
      {S{2, 3}, common::v1::DEVELOPMENT_STAGE_PHASE_2_3},
      {S{3}, common::v1::DEVELOPMENT_STAGE_PHASE_3},
      {S{4}, common::v1::DEVELOPMENT_STAGE_UNSPECIFIED},
  };
  auto it = kStages->find(phases);
  if (it != kStages->end()) {
    out.stage = it->second;
    out.known = true;
  }
  return out;
}

PrintedRegistryId ReadRegistryId(absl::string_view text, bool in_label) {
  PrintedRegistryId out;
  out.printed = CleanText(text);
  absl::StatusOr<common::v1::RegistryId> id = ParseRegistryId(out.printed, "id");
  if (id.ok()) {
    out.id = *std::move(id);
    return out;
  }
  if (!in_label) {
    absl::string_view why = id.status().message();
    if (absl::StartsWith(why, "id: ")) why.remove_prefix(4);
    out.problem = std::string(why);
    return out;
  }
  // A registry ID inside a label, as sponsors type them into "Other IDs"
  // ("EudraCT-No.:2006-000284-28", "EudraCT 2015-001234-56"): taken when
  // exactly one word of the text is one.
  int found = 0;
  for (absl::string_view word : absl::StrSplit(out.printed, absl::ByAnyChar(" :;,()[]"))) {
    if (word.size() < 6) continue;
    absl::StatusOr<common::v1::RegistryId> inner = ParseRegistryId(word, "id");
    if (inner.ok() && ++found == 1) out.id = *std::move(inner);
  }
  if (found == 1) return out;
  out.id.Clear();
  absl::string_view why = id.status().message();
  if (absl::StartsWith(why, "id: ")) why.remove_prefix(4);
  out.problem = std::string(why);
  return out;
}

std::vector<PrintedCountry> MapCountries(const std::vector<std::string>& names) {
  std::vector<PrintedCountry> out;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    PrintedCountry c;
    c.printed = CleanText(name);
    if (c.printed.empty()) continue;
    if (std::optional<std::string> code = CountryCodeForName(c.printed)) c.code = *code;
    if (!seen.insert(c.code.empty() ? "?" + Key(c.printed) : c.code).second) continue;
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<int32_t> ParseTargetSize(absl::string_view text) {
  const std::string clean = CleanText(text);
  if (clean.empty()) return std::nullopt;
  int64_t total = 0;
  bool any = false;
  for (absl::string_view part : absl::StrSplit(clean, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    // "Experimental group:30" — the number after the last colon.
    if (size_t colon = part.rfind(':'); colon != absl::string_view::npos) {
      part = absl::StripAsciiWhitespace(part.substr(colon + 1));
    }
    int64_t n = 0;
    if (part.size() > 10 || !absl::SimpleAtoi(part, &n) || n < 0) return std::nullopt;
    total += n;
    any = true;
    if (total > std::numeric_limits<int32_t>::max()) return std::nullopt;
  }
  if (!any) return std::nullopt;
  return static_cast<int32_t>(total);
}

RegistryIntervention SplitInterventionType(absl::string_view text) {
  static const auto* const kTypes = new std::set<std::string>{"drug",
                                                              "biological",
                                                              "device",
                                                              "procedure",
                                                              "procedure surgery",
                                                              "behavioral",
                                                              "other",
                                                              "radiation",
                                                              "genetic",
                                                              "dietary supplement",
                                                              "diagnostic test",
                                                              "combination product"};
  RegistryIntervention out;
  const std::string clean = CleanText(text);
  const size_t colon = clean.find(':');
  if (colon != std::string::npos && kTypes->count(Key(clean.substr(0, colon))) > 0) {
    out.type = std::string(absl::StripAsciiWhitespace(clean.substr(0, colon)));
    out.name = std::string(absl::StripAsciiWhitespace(clean.substr(colon + 1)));
    if (!out.name.empty()) return out;
  }
  out.type.clear();
  out.name = clean;
  return out;
}

}  // namespace regenatlas::catalog
