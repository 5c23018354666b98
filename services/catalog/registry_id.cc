// Registry-ID parsing: normalisation of printed IDs and one parser per
// registry format, each with its own error messages; trial ids and registry
// names derived from parsed IDs.
#include "services/catalog/registry_id.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace regenatlas::catalog {
namespace {

using common::v1::Registry;
using common::v1::RegistryId;

// The longest real IDs (CTIS, IRCT, ACTRN, CTRI) are about 20 characters.
// Anything much longer is pasted prose; rejecting it early keeps error
// messages (which quote the input) short.
constexpr size_t kMaxLength = 64;

// Years accepted in EudraCT, CTIS and CTRI numbers. Generous on purpose: the
// check is there to catch transposed or truncated numbers, not to date them.
constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;

// ---------------------------------------------------------------------------
// Normalisation: UTF-8 in, printable ASCII out.
// ---------------------------------------------------------------------------

constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes one UTF-8 sequence at text[*pos] and advances *pos. Returns
// kInvalidCodePoint (leaving *pos at the bad byte) for malformed, overlong or
// surrogate sequences: such bytes cannot be echoed back safely.
char32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(*pos);
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  }
  size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return kInvalidCodePoint;
  }
  if (*pos + len > text.size()) return kInvalidCodePoint;
  for (size_t i = 1; i < len; ++i) {
    const unsigned char b = byte(*pos + i);
    if ((b & 0xC0) != 0x80) return kInvalidCodePoint;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalidCodePoint;
  *pos += len;
  return cp;
}

std::string EncodeUtf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Whitespace as it turns up around IDs copied from PDFs, web pages and CJK
// documents: ASCII, no-break and ideographic spaces, plus the zero-width
// space and BOM, which are invisible but common at the edges of pasted text.
bool IsSpace(char32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x00A0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// Maps a code point to the ASCII character it stands for in a printed ID, or
// returns it unchanged. Full-width forms come from CJK text (ＮＣＴ０５０６８６７４);
// the dash look-alikes from word processors that "fix" hyphens in EudraCT and
// ChiCTR numbers.
char32_t Fold(char32_t cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return cp - 0xFF01 + 0x21;
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63) return '-';
  if (IsSpace(cp)) return ' ';
  return cp;
}

// Characters that would be invisible or would disturb the message if echoed,
// so errors show only their code point.
bool IsInvisible(char32_t cp) {
  return cp <= 0x20 || IsSpace(cp) || (cp >= 0x7F && cp <= 0x9F) || cp == 0x00AD ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp >= 0xFFF0;
}

std::string Describe(char32_t cp) {
  std::string out = absl::StrFormat("U+%04X", static_cast<uint32_t>(cp));
  if (!IsInvisible(cp)) absl::StrAppend(&out, " '", EncodeUtf8(cp), "'");
  return out;
}

// Turns `text` into the ASCII string the format checks work on: folded,
// trimmed, and known to hold only printable ASCII without spaces. Positions in
// later messages are 1-based character positions in this string, which match
// the user's trimmed input because folding is one character for one.
absl::StatusOr<std::string> Normalize(absl::string_view text, absl::string_view field) {
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const size_t start = pos;
    const char32_t cp = DecodeUtf8(text, &pos);
    if (cp == kInvalidCodePoint) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: not valid UTF-8 (byte 0x%02X at offset %d)", field,
                          static_cast<unsigned char>(text[start]), start));
    }
    cps.push_back(cp);
  }
  size_t begin = 0;
  size_t end = cps.size();
  while (begin < end && IsSpace(cps[begin])) ++begin;
  while (end > begin && IsSpace(cps[end - 1])) --end;
  if (begin == end) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (end - begin > kMaxLength) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": too long (", end - begin,
                                                   " characters); registry IDs have at most ",
                                                   kMaxLength));
  }
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char32_t folded = Fold(cps[i]);
    const size_t position = i - begin + 1;
    if (folded == ' ') {
      return absl::InvalidArgumentError(absl::StrCat(field, ": whitespace (", Describe(cps[i]),
                                                     ") at position ", position,
                                                     "; registry IDs contain no spaces"));
    }
    if (folded < 0x21 || folded > 0x7E) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": character ", Describe(cps[i]), " at position ", position,
                       " is not allowed; registry IDs use letters, digits, '-' and '/'"));
    }
    out += static_cast<char>(folded);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Format checks on the normalised text.
// ---------------------------------------------------------------------------

// The normalised input and the field name to report errors against.
struct Input {
  absl::string_view field;
  absl::string_view text;
};

std::string Quote(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

template <typename... Args>
absl::Status Invalid(const Input& in, const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(in.field, ": ", args...));
}

// 1-based position in in.text of part[i]; `part` must be a view into in.text.
size_t PositionOf(const Input& in, absl::string_view part, size_t i) {
  return static_cast<size_t>(part.data() - in.text.data()) + i + 1;
}

// Checks that `part` (a view into in.text) is exactly `count` digits. The
// message leads with `rule` so users read what is expected before what is
// wrong, and reports a stray character before a count, since a count that
// includes a letter would mislead.
absl::Status ExpectDigits(const Input& in, absl::string_view part, size_t count,
                          absl::string_view rule) {
  for (size_t i = 0; i < part.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(part[i]))) {
      return Invalid(in, rule, "; ", Quote(in.text), " has non-digit '", part.substr(i, 1),
                     "' at position ", PositionOf(in, part, i));
    }
  }
  if (part.size() != count) return Invalid(in, rule, "; ", Quote(in.text), " has ", part.size());
  return absl::OkStatus();
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

// Registries whose IDs are a fixed prefix and a fixed number of digits.
struct PrefixDigits {
  absl::string_view prefix;  // Canonical spelling; matched case-insensitively.
  Registry registry;
  size_t digits;
  absl::string_view noun;  // Plural subject of the error message.
};

// No prefix here begins another. CTR is a prefix of CTRI, which is why CTRI is
// dispatched before this table is consulted.
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
};

absl::StatusOr<RegistryId> ParsePrefixDigits(const Input& in, const PrefixDigits& format) {
  const absl::string_view digits = in.text.substr(format.prefix.size());
  RETURN_IF_ERROR(ExpectDigits(
      in, digits, format.digits,
      absl::StrCat(format.noun, " have ", format.digits, " digits after \"", format.prefix, "\"")));
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

}  // namespace

absl::StatusOr<RegistryId> ParseRegistryId(absl::string_view text, absl::string_view field) {
  ASSIGN_OR_RETURN(std::string normalized, Normalize(text, field));
  const Input in{field, normalized};
  const absl::string_view s = in.text;

  if (absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) return ParseEu(in);
  // CTRI begins like CTR, so it must be tried before the table; the other
  // structured formats get their own parsers for more specific messages.
  if (absl::StartsWithIgnoreCase(s, "ChiCTR")) return ParseChiCtr(in);
  if (absl::StartsWithIgnoreCase(s, "CTRI")) return ParseCtri(in);
  if (absl::StartsWithIgnoreCase(s, "jRCT")) return ParseJrct(in);
  if (absl::StartsWithIgnoreCase(s, "IRCT")) return ParseIrct(in);
  if (absl::StartsWithIgnoreCase(s, "JMA") && !absl::StartsWithIgnoreCase(s, "JMA-IIA")) {
    return Invalid(in, "JMA IDs start with \"JMA-IIA\" (JMA-IIA00123); ", Quote(s), " does not");
  }
  for (const PrefixDigits& format : kPrefixDigits) {
    if (absl::StartsWithIgnoreCase(s, format.prefix)) return ParsePrefixDigits(in, format);
  }
  return Invalid(in, Quote(s),
                 " is not a recognised registry ID; expected NCT…, jRCT…, ChiCTR…, CTR…, "
                 "UMIN…, ACTRN…, IRCT…, JMA-IIA…, ISRCTN…, KCT…, CTRI/…, a CDE acceptance "
                 "number (CXSL…, CXSB…, JXSL…, …) or a EudraCT/CTIS number "
                 "(2015-001234-56, 2023-501234-12-00)");
}

std::string TrialIdFor(const RegistryId& id) {
  std::string out = absl::AsciiStrToLower(id.id());
  for (char& c : out) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!keep) c = '-';
  }
  return out;
}

absl::string_view RegistryName(Registry registry) {
  switch (registry) {
    case common::v1::REGISTRY_NCT:
      return "ClinicalTrials.gov";
    case common::v1::REGISTRY_JRCT:
      return "jRCT";
    case common::v1::REGISTRY_CHICTR:
      return "ChiCTR";
    case common::v1::REGISTRY_CTR:
      return "ChinaDrugTrials";
    case common::v1::REGISTRY_UMIN:
      return "UMIN-CTR";
    case common::v1::REGISTRY_ACTRN:
      return "ANZCTR";
    case common::v1::REGISTRY_IRCT:
      return "IRCT";
    case common::v1::REGISTRY_JMA_IIA:
      return "JMACCT";
    case common::v1::REGISTRY_EUDRACT:
      return "EudraCT";
    case common::v1::REGISTRY_CTIS:
      return "CTIS";
    case common::v1::REGISTRY_ISRCTN:
      return "ISRCTN";
    case common::v1::REGISTRY_KCT:
      return "CRIS";
    case common::v1::REGISTRY_CTRI:
      return "CTRI";
    case common::v1::REGISTRY_CDE:
      return "CDE";
    default:
      // REGISTRY_UNSPECIFIED, protobuf's sentinels and values newer than
      // this build.
      return "";
  }
}

}  // namespace regenatlas::catalog
