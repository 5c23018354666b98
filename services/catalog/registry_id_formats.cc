// The format checks of registry IDs (services/catalog/registry_id.h): one
// parser per registry's ID shape over the normalised text that
// registry_id.cc produces, the table of prefix-and-digits registries, and the
// dispatch by prefix, including the wrappers WHO ICTRP prints around IDs
// (EUCTR…-GB, JPRN-UMIN…, CTIS…).

#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/catalog/registry_id_internal.h"

namespace regenatlas::catalog::registry_id_internal {
namespace {

using common::v1::Registry;
using common::v1::RegistryId;

// Years accepted in EudraCT, CTIS and CTRI numbers. Generous on purpose: the
// check is there to catch transposed or truncated numbers, not to date them.
constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;

std::string Quote(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

template <typename... Args>
absl::Status Invalid(const Input& in, const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(in.field, ": ", args...));
}

// 1-based position in in.text of part[i]; `part` must be a view into in.text.
size_t PositionOf(const Input& in, absl::string_view part, size_t i) {
  return static_cast<size_t>(part.data() - in.text.data()) + i + 1;
}

// Checks that `part` (a view into in.text) is `min_count` to `max_count`
// digits. The message leads with `rule` so users read what is expected
// before what is wrong, and reports a stray character before a count, since
// a count that includes a letter would mislead.
absl::Status ExpectDigitCount(const Input& in, absl::string_view part, size_t min_count,
                              size_t max_count, absl::string_view rule) {
  for (size_t i = 0; i < part.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(part[i]))) {
      return Invalid(in, rule, "; ", Quote(in.text), " has non-digit '", part.substr(i, 1),
                     "' at position ", PositionOf(in, part, i));
    }
  }
  if (part.size() < min_count || part.size() > max_count) {
    return Invalid(in, rule, "; ", Quote(in.text), " has ", part.size());
  }
  return absl::OkStatus();
}

absl::Status ExpectDigits(const Input& in, absl::string_view part, size_t count,
                          absl::string_view rule) {
  return ExpectDigitCount(in, part, count, count, rule);
}

absl::Status ExpectYear(const Input& in, absl::string_view part, absl::string_view rule) {
  RETURN_IF_ERROR(ExpectDigits(in, part, 4, rule));
  int year = 0;
  (void)absl::SimpleAtoi(part, &year);  // Four digits always parse.
  if (year < kMinYear || year > kMaxYear) {
    return Invalid(in, "year ", part, " in ", Quote(in.text), " is outside ", kMinYear, "..",
                   kMaxYear);
  }
  return absl::OkStatus();
}

RegistryId Make(Registry registry, std::string id) {
  RegistryId out;
  out.set_registry(registry);
  out.set_id(std::move(id));
  return out;
}

// Registries whose IDs are a fixed prefix and a number of digits.
struct PrefixDigits {
  absl::string_view prefix;  // Canonical spelling; matched case-insensitively.
  Registry registry;
  size_t digits;
  absl::string_view noun;  // Plural subject of the error message.
  size_t min_digits = 0;   // When set, `digits` is the most and this the fewest.
};

// Tried in order. Only NL-OMON begins another prefix here (NL), so it comes
// first; CTR is a prefix of CTRI, which is why CTRI is dispatched before this
// table is consulted.
constexpr PrefixDigits kPrefixDigits[] = {
    {"NCT", common::v1::REGISTRY_NCT, 8, "NCT IDs"},
    {"UMIN", common::v1::REGISTRY_UMIN, 9, "UMIN IDs"},
    {"ACTRN", common::v1::REGISTRY_ACTRN, 14, "ACTRN IDs"},
    {"ISRCTN", common::v1::REGISTRY_ISRCTN, 8, "ISRCTN IDs"},
    {"KCT", common::v1::REGISTRY_KCT, 7, "KCT IDs"},
    {"JMA-IIA", common::v1::REGISTRY_JMA_IIA, 5, "JMA IDs"},
    {"CXSL", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CXSB", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CXSS", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"JXSL", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"JXSB", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"JXSS", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CXHL", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CXHB", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CXHS", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CYSB", common::v1::REGISTRY_CDE, 7, "CDE acceptance numbers"},
    {"CTR", common::v1::REGISTRY_CTR, 8, "CTR IDs"},
    // Netherlands: NTR up to 2019, then NL + a serial, now NL-OMON (the
    // Overview of Medical Research in the Netherlands) — one register.
    {"NL-OMON", common::v1::REGISTRY_NTR, 8, "NL-OMON IDs", 1},
    {"NL", common::v1::REGISTRY_NTR, 5, "NL IDs", 1},
    {"NTR", common::v1::REGISTRY_NTR, 5, "NTR IDs", 1},
    {"DRKS", common::v1::REGISTRY_DRKS, 8, "DRKS IDs"},
    {"TCTR", common::v1::REGISTRY_TCTR, 11, "TCTR IDs"},
    {"PACTR", common::v1::REGISTRY_PACTR, 15, "PACTR IDs"},
    {"LBCTR", common::v1::REGISTRY_LBCTR, 10, "LBCTR IDs"},
    {"RPCEC", common::v1::REGISTRY_RPCEC, 8, "RPCEC IDs"},
    {"JapicCTI-", common::v1::REGISTRY_JAPIC, 6, "JapicCTI IDs"},
};

absl::StatusOr<RegistryId> ParsePrefixDigits(const Input& in, const PrefixDigits& format) {
  const absl::string_view digits = in.text.substr(format.prefix.size());
  const size_t min = format.min_digits == 0 ? format.digits : format.min_digits;
  const std::string count =
      min == format.digits ? absl::StrCat(min) : absl::StrCat(min, " to ", format.digits);
  RETURN_IF_ERROR(ExpectDigitCount(
      in, digits, min, format.digits,
      absl::StrCat(format.noun, " have ", count, " digits after \"", format.prefix, "\"")));
  return Make(format.registry, absl::StrCat(format.prefix, digits));
}

// jRCT + 1|2 + 9 digits, or jRCT + series letter + 9 digits. The letter is
// canonically lower case, like the "j".
absl::StatusOr<RegistryId> ParseJrct(const Input& in) {
  const absl::string_view rest = in.text.substr(4);
  if (!rest.empty() && absl::ascii_isalpha(static_cast<unsigned char>(rest[0]))) {
    const char letter = absl::ascii_tolower(static_cast<unsigned char>(rest[0]));
    if (absl::string_view("abces").find(letter) == absl::string_view::npos) {
      return Invalid(in, "jRCT series letter '", rest.substr(0, 1), "' in ", Quote(in.text),
                     " is not one of a, b, c, e, s");
    }
    const std::string prefix = absl::StrCat("jRCT", absl::string_view(&letter, 1));
    const absl::string_view digits = rest.substr(1);
    RETURN_IF_ERROR(
        ExpectDigits(in, digits, 9, absl::StrCat("jRCT IDs have 9 digits after \"", prefix, "\"")));
    return Make(common::v1::REGISTRY_JRCT, absl::StrCat(prefix, digits));
  }
  // Count before checking the leading digit: a truncated ID such as
  // jRCT209022038 is far more common than a wrong series digit, and the count
  // is what the user needs to hear about.
  RETURN_IF_ERROR(ExpectDigits(in, rest, 10,
                               "jRCT IDs have 10 digits after \"jRCT\" (or a series letter "
                               "a, b, c, e or s and 9 digits)"));
  if (rest[0] != '1' && rest[0] != '2') {
    return Invalid(in, "jRCT IDs without a series letter have 1 or 2 after \"jRCT\"; ",
                   Quote(in.text), " has '", rest.substr(0, 1), "'");
  }
  return Make(common::v1::REGISTRY_JRCT, absl::StrCat("jRCT", rest));
}

// New format ChiCTR + 10 digits; old format ChiCTR-XXX-NNNNNNNN with a 2 to 4
// letter study-type code, canonically upper case.
absl::StatusOr<RegistryId> ParseChiCtr(const Input& in) {
  const absl::string_view rest = in.text.substr(6);
  if (rest.empty() || rest[0] != '-') {
    RETURN_IF_ERROR(ExpectDigits(in, rest, 10, "ChiCTR IDs have 10 digits after \"ChiCTR\""));
    return Make(common::v1::REGISTRY_CHICTR, absl::StrCat("ChiCTR", rest));
  }
  absl::string_view body = rest.substr(1);
  size_t n = 0;
  while (n < body.size() && absl::ascii_isalpha(static_cast<unsigned char>(body[n]))) ++n;
  if (n == 0) {
    // Usually a new-format ID with a hyphen added by analogy with the old one.
    return Invalid(in,
                   "old-format ChiCTR IDs have 2 to 4 letters after \"ChiCTR-\" "
                   "(ChiCTR-IOR-17011234) and new-format ones have no hyphen "
                   "(ChiCTR2000031319); ",
                   Quote(in.text), " has no letters after \"ChiCTR-\"");
  }
  if (n < 2 || n > 4) {
    return Invalid(in,
                   "old-format ChiCTR IDs have 2 to 4 letters after \"ChiCTR-\" "
                   "(ChiCTR-IOR-17011234); ",
                   Quote(in.text), " has ", n);
  }
  const std::string letters = absl::AsciiStrToUpper(body.substr(0, n));
  body = body.substr(n);
  if (body.empty() || body[0] != '-') {
    const std::string got = body.empty() ? std::string(" ends after the letters")
                                         : absl::StrCat(" has '", body.substr(0, 1),
                                                        "' at position ", PositionOf(in, body, 0));
    return Invalid(in, "old-format ChiCTR IDs have '-' after the letters (ChiCTR-IOR-17011234); ",
                   Quote(in.text), got);
  }
  const absl::string_view digits = body.substr(1);
  RETURN_IF_ERROR(
      ExpectDigits(in, digits, 8, "old-format ChiCTR IDs have 8 digits after the letters"));
  return Make(common::v1::REGISTRY_CHICTR, absl::StrCat("ChiCTR-", letters, "-", digits));
}

// CTRI/YYYY/MM/NNNNNN. Early IDs print a three-digit "month" (CTRI/2009/091/
// 000475) that is not a calendar month, so three digits are kept as printed
// and only two-digit months are range-checked.
absl::StatusOr<RegistryId> ParseCtri(const Input& in) {
  const absl::string_view rest = in.text.substr(4);
  if (rest.empty() || rest[0] != '/') {
    if (!rest.empty() && rest[0] == '-') {
      return Invalid(in, "CTRI IDs are separated by '/', as in CTRI/2019/01/017123; ",
                     Quote(in.text), " uses '-'");
    }
    return Invalid(in, "CTRI IDs look like CTRI/2019/01/017123; ", Quote(in.text),
                   rest.empty() ? std::string(" ends after \"CTRI\"")
                                : absl::StrCat(" has '", rest.substr(0, 1), "' after \"CTRI\""));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(rest.substr(1), '/');
  if (parts.size() != 3) {
    return Invalid(in,
                   "CTRI IDs have a year, month and serial number after \"CTRI/\" "
                   "(CTRI/2019/01/017123); ",
                   Quote(in.text), " has ", parts.size(), parts.size() == 1 ? " part" : " parts");
  }
  RETURN_IF_ERROR(ExpectYear(in, parts[0], "CTRI IDs have a 4-digit year after \"CTRI/\""));
  const absl::string_view month = parts[1];
  RETURN_IF_ERROR(ExpectDigits(in, month, month.size() == 3 ? 3 : 2,
                               "CTRI IDs have a 2- or 3-digit month after the year"));
  if (month.size() == 2 && (month < "01" || month > "12")) {
    return Invalid(in, "month ", month, " in ", Quote(in.text), " is not 01..12");
  }
  RETURN_IF_ERROR(
      ExpectDigits(in, parts[2], 6, "CTRI IDs have a 6-digit serial number after the month"));
  return Make(common::v1::REGISTRY_CTRI, absl::StrCat("CTRI/", absl::StrJoin(parts, "/")));
}

// IRCT + registration digits + N + sequence number. The digits before N are a
// date plus a serial: 12 (IRCT138901162869N2, Persian calendar), 13
// (IRCT2012061910048N1) or 14 (IRCT20190101012345N1) of them.
absl::StatusOr<RegistryId> ParseIrct(const Input& in) {
  constexpr absl::string_view kRule =
      "IRCT IDs have 12 to 14 digits, 'N' and a 1- to 3-digit sequence number "
      "(IRCT20190101012345N1)";
  const absl::string_view rest = in.text.substr(4);
  size_t n = 0;
  while (n < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[n]))) ++n;
  if (n == rest.size()) return Invalid(in, kRule, "; ", Quote(in.text), " has no 'N'");
  if (rest[n] != 'N' && rest[n] != 'n') {
    return Invalid(in, kRule, "; ", Quote(in.text), " has non-digit '", rest.substr(n, 1),
                   "' at position ", PositionOf(in, rest, n));
  }
  if (n < 12 || n > 14) {
    return Invalid(in, kRule, "; ", Quote(in.text), " has ", n, " digits before 'N'");
  }
  const absl::string_view registration = rest.substr(0, n);
  const absl::string_view sequence = rest.substr(n + 1);
  for (size_t i = 0; i < sequence.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(sequence[i]))) {
      return Invalid(in, kRule, "; ", Quote(in.text), " has non-digit '", sequence.substr(i, 1),
                     "' at position ", PositionOf(in, sequence, i));
    }
  }
  if (sequence.empty() || sequence.size() > 3) {
    return Invalid(in, kRule, "; ", Quote(in.text), " has ", sequence.size(), " digits after 'N'");
  }
  return Make(common::v1::REGISTRY_IRCT, absl::StrCat("IRCT", registration, "N", sequence));
}

// EudraCT YYYY-NNNNNN-CC or CTIS YYYY-5NNNNN-CC-NN, told apart by the number
// of parts; CTIS serials always start with 5.
absl::StatusOr<RegistryId> ParseEu(const Input& in) {
  const std::vector<absl::string_view> parts = absl::StrSplit(in.text, '-');
  if (parts.size() != 3 && parts.size() != 4) {
    return Invalid(in,
                   "an ID starting with a digit must be a EudraCT number (YYYY-NNNNNN-CC, "
                   "e.g. 2015-001234-56) or a CTIS number (YYYY-5NNNNN-CC-NN, e.g. "
                   "2023-501234-12-00); ",
                   Quote(in.text), " has ", parts.size(),
                   parts.size() == 1 ? " '-'-separated part" : " '-'-separated parts");
  }
  const bool ctis = parts.size() == 4;
  const absl::string_view name =
      ctis ? "CTIS numbers (YYYY-5NNNNN-CC-NN)" : "EudraCT numbers (YYYY-NNNNNN-CC)";
  RETURN_IF_ERROR(ExpectYear(in, parts[0], absl::StrCat(name, " start with a 4-digit year")));
  RETURN_IF_ERROR(
      ExpectDigits(in, parts[1], 6, absl::StrCat(name, " have a 6-digit serial after the year")));
  if (ctis && parts[1][0] != '5') {
    return Invalid(in, name, " have a serial starting with 5; ", Quote(in.text), " has '",
                   parts[1].substr(0, 1), "'");
  }
  RETURN_IF_ERROR(ExpectDigits(
      in, parts[2], 2, absl::StrCat(name, " have a 2-digit check number after the serial")));
  if (ctis) {
    RETURN_IF_ERROR(
        ExpectDigits(in, parts[3], 2, absl::StrCat(name, " end with a 2-digit number")));
    return Make(common::v1::REGISTRY_CTIS, std::string(in.text));
  }
  return Make(common::v1::REGISTRY_EUDRACT, std::string(in.text));
}

// ReBEC (Brazil): RBR- and 6 to 10 letters and digits (RBR-6w2vk5,
// RBR-10xxwm2z), canonically lower case.
absl::StatusOr<RegistryId> ParseRebec(const Input& in) {
  constexpr absl::string_view kRule =
      "ReBEC IDs have 6 to 10 letters and digits after \"RBR-\" (RBR-6w2vk5)";
  const absl::string_view rest = in.text.substr(4);
  for (size_t i = 0; i < rest.size(); ++i) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(rest[i]))) {
      return Invalid(in, kRule, "; ", Quote(in.text), " has '", rest.substr(i, 1), "' at position ",
                     PositionOf(in, rest, i));
    }
  }
  if (rest.size() < 6 || rest.size() > 10) {
    return Invalid(in, kRule, "; ", Quote(in.text), " has ", rest.size());
  }
  return Make(common::v1::REGISTRY_REBEC, absl::StrCat("RBR-", absl::AsciiStrToLower(rest)));
}

// ICTRP prints EU trials as EUCTR + the EudraCT number + the country of the
// national record ("EUCTR2015-001234-56-GB", "...-Outside-EU/EEA"), or + a
// CTIS number. One trial has a record per country, so the canonical ID is
// the EudraCT (or CTIS) number alone.
absl::StatusOr<RegistryId> ParseEuctr(const Input& in) {
  const absl::string_view rest = in.text.substr(5);
  const std::vector<absl::string_view> parts = absl::StrSplit(rest, '-');
  // A CTIS number has a fourth part of digits; a country suffix has letters.
  size_t number_parts = 3;
  if (parts.size() >= 4 && !parts[3].empty() &&
      absl::ascii_isdigit(static_cast<unsigned char>(parts[3][0]))) {
    number_parts = 4;
  }
  if (parts.size() < 3) {
    return Invalid(in, "EUCTR IDs are \"EUCTR\" and a EudraCT number (EUCTR2015-001234-56-GB); ",
                   Quote(in.text), " has ", parts.size(),
                   parts.size() == 1 ? " '-'-separated part" : " '-'-separated parts",
                   " after \"EUCTR\"");
  }
  size_t length = 0;
  for (size_t i = 0; i < number_parts; ++i) length += parts[i].size() + (i > 0 ? 1 : 0);
  const absl::string_view suffix =
      length < rest.size() ? rest.substr(length + 1) : absl::string_view();
  for (size_t i = 0; i < suffix.size(); ++i) {
    const char c = suffix[i];
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c)) && c != '-' && c != '/') {
      return Invalid(in, "EUCTR IDs end with the letters of a country (EUCTR2015-001234-56-GB); ",
                     Quote(in.text), " has '", suffix.substr(i, 1), "' at position ",
                     PositionOf(in, suffix, i));
    }
  }
  return ParseEu(Input{in.field, rest.substr(0, length)});
}

// A wrapper prefix (ICTRP's "JPRN-", "CTIS") around an ID of one of
// `allowed` registries.
absl::StatusOr<RegistryId> ParseWrapped(const Input& in, absl::string_view prefix,
                                        std::initializer_list<Registry> allowed,
                                        absl::string_view expected) {
  const absl::string_view inner = in.text.substr(prefix.size());
  if (inner.empty()) {
    return Invalid(in, Quote(in.text), " ends after \"", prefix, "\"; expected ", expected);
  }
  ASSIGN_OR_RETURN(RegistryId id, ParseNormalized(Input{in.field, inner}));
  for (Registry r : allowed) {
    if (id.registry() == r) return id;
  }
  return Invalid(in, "after \"", prefix, "\" comes ", expected, "; ", Quote(in.text),
                 " has another registry's ID");
}

}  // namespace

absl::StatusOr<RegistryId> ParseNormalized(const Input& in) {
  const absl::string_view s = in.text;
  if (absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) return ParseEu(in);
  // CTRI begins like CTR, so it must be tried before the table; the other
  // structured formats get their own parsers for more specific messages.
  if (absl::StartsWithIgnoreCase(s, "ChiCTR")) return ParseChiCtr(in);
  if (absl::StartsWithIgnoreCase(s, "CTRI")) return ParseCtri(in);
  if (absl::StartsWithIgnoreCase(s, "CTIS")) {
    return ParseWrapped(in, "CTIS", {common::v1::REGISTRY_CTIS},
                        "a CTIS number (CTIS2023-501234-12-00)");
  }
  if (absl::StartsWithIgnoreCase(s, "jRCT")) return ParseJrct(in);
  if (absl::StartsWithIgnoreCase(s, "IRCT")) return ParseIrct(in);
  if (absl::StartsWithIgnoreCase(s, "EUCTR")) return ParseEuctr(in);
  if (absl::StartsWithIgnoreCase(s, "RBR-")) return ParseRebec(in);
  if (absl::StartsWithIgnoreCase(s, "JPRN-")) {
    return ParseWrapped(in, "JPRN-",
                        {common::v1::REGISTRY_JRCT, common::v1::REGISTRY_UMIN,
                         common::v1::REGISTRY_JAPIC, common::v1::REGISTRY_JMA_IIA},
                        "a Japanese registry's ID (JPRN-UMIN000012345, JPRN-jRCT2031190228, "
                        "JPRN-JapicCTI-121234, JPRN-JMA-IIA00123)");
  }
  if (absl::StartsWithIgnoreCase(s, "JMA") && !absl::StartsWithIgnoreCase(s, "JMA-IIA")) {
    return Invalid(in, "JMA IDs start with \"JMA-IIA\" (JMA-IIA00123); ", Quote(s), " does not");
  }
  for (const PrefixDigits& format : kPrefixDigits) {
    if (absl::StartsWithIgnoreCase(s, format.prefix)) return ParsePrefixDigits(in, format);
  }
  return Invalid(in, Quote(s),
                 " is not a recognised registry ID; expected NCT…, jRCT…, ChiCTR…, CTR…, "
                 "UMIN…, ACTRN…, IRCT…, JMA-IIA…, ISRCTN…, KCT…, CTRI/…, NTR…/NL…, DRKS…, "
                 "TCTR…, PACTR…, LBCTR…, RPCEC…, RBR-…, JapicCTI-…, a CDE acceptance "
                 "number (CXSL…, CXSB…, JXSL…, …), a EudraCT/CTIS number "
                 "(2015-001234-56, 2023-501234-12-00) or an ICTRP form of one "
                 "(EUCTR2015-001234-56-GB, CTIS2023-501234-12-00, JPRN-UMIN000012345)");
}

}  // namespace regenatlas::catalog::registry_id_internal
