// Registry IDs as printed: UTF-8 normalisation to the ASCII the format
// checks read (registry_id_formats.cc), the public entry points, trial ids
// and registry names.

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
#include "services/catalog/registry_id_internal.h"

namespace regenatlas::catalog {
namespace {

using common::v1::Registry;
using common::v1::RegistryId;

// The longest real IDs (CTIS, IRCT, ACTRN, CTRI) are about 20 characters.
// Anything much longer is pasted prose; rejecting it early keeps error
// messages (which quote the input) short.
constexpr size_t kMaxLength = 64;

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

}  // namespace

absl::StatusOr<RegistryId> ParseRegistryId(absl::string_view text, absl::string_view field) {
  ASSIGN_OR_RETURN(const std::string normalized, Normalize(text, field));
  return registry_id_internal::ParseNormalized({field, normalized});
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
    case common::v1::REGISTRY_NTR:
      return "NTR";
    case common::v1::REGISTRY_DRKS:
      return "DRKS";
    case common::v1::REGISTRY_TCTR:
      return "TCTR";
    case common::v1::REGISTRY_PACTR:
      return "PACTR";
    case common::v1::REGISTRY_JAPIC:
      return "JapicCTI";
    case common::v1::REGISTRY_REBEC:
      return "ReBEC";
    case common::v1::REGISTRY_LBCTR:
      return "LBCTR";
    case common::v1::REGISTRY_RPCEC:
      return "RPCEC";
    default:
      // REGISTRY_UNSPECIFIED, protobuf's sentinels and values newer than
      // this build.
      return "";
  }
}

}  // namespace regenatlas::catalog
