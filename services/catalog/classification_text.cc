// Text normalisation and the pattern language of the classifier's rules
// (classification_rules.h).

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "services/catalog/classification_rules.h"

namespace regenatlas::catalog::classification {
namespace {

// ---- Normalisation ----------------------------------------------------------

// Decodes the UTF-8 character at `pos`; an invalid byte decodes as itself
// (length 1), so nothing is lost.
char32_t Decode(absl::string_view s, size_t pos, int* len) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(pos);
  int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || pos + n > s.size()) n = 1;
  for (int i = 1; i < n; ++i) {
    if ((b(pos + i) & 0xC0) != 0x80) n = 1;
  }
  *len = n;
  if (n == 1) return c;
  char32_t cp = c & (0x7F >> n);
  for (int i = 1; i < n; ++i) cp = (cp << 6) | (b(pos + i) & 0x3F);
  return cp;
}

bool IsCjk(char32_t cp) {
  return (cp >= 0x2E80 && cp <= 0x2FFF) || (cp >= 0x3040 && cp <= 0x30FF) ||
         (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0x20000 && cp <= 0x2FFFF);
}

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == '-' || cp == '_' || cp == '/' || cp == 0xA0 || cp == 0x3000 ||
         (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212;
}

bool IsApostrophe(char32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0xB4;
}

// Non-ASCII punctuation and symbols that separate words.
bool IsNonAsciiPunctuation(char32_t cp) {
  return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp == 0xB7 ||
         cp == 0xD7 || cp == 0xAE || cp == 0x2122;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

NormalizedText Normalize(absl::string_view text) {
  // One unit per character kept; spaces are decided once the neighbours are known.
  struct Unit {
    std::string bytes;  // empty = a space
    uint8_t cls;
    int begin, end;
  };
  std::vector<Unit> units;
  for (size_t pos = 0; pos < text.size();) {
    int len = 1;
    char32_t cp = Decode(text, pos, &len);
    const int begin = static_cast<int>(pos);
    pos += len;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
    if (IsApostrophe(cp)) continue;
    if (IsSpace(cp)) {
      if (!units.empty() && !units.back().bytes.empty()) {
        units.push_back({"", NormalizedText::kOther, begin, static_cast<int>(pos)});
      }
      continue;
    }
    if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    Unit u{"", NormalizedText::kOther, begin, static_cast<int>(pos)};
    if (len == 1 && cp >= 0x80) {
      u.bytes.assign(1, text[begin]);  // invalid UTF-8 byte, kept as it is
    } else {
      AppendUtf8(cp, &u.bytes);
    }
    if (IsCjk(cp)) {
      u.cls = NormalizedText::kCjk;
    } else if ((cp < 0x80 && std::isalnum(static_cast<int>(cp))) ||
               (cp >= 0x80 && !IsNonAsciiPunctuation(cp))) {
      u.cls = NormalizedText::kWord;
    }
    units.push_back(std::move(u));
  }
  if (!units.empty() && units.back().bytes.empty()) units.pop_back();

  NormalizedText out;
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    if (u.bytes.empty()) {
      // Neighbours of a space are never spaces (collapsed above).
      if (units[i - 1].cls == NormalizedText::kCjk || units[i + 1].cls == NormalizedText::kCjk) {
        continue;
      }
    }
    const std::string bytes = u.bytes.empty() ? " " : u.bytes;
    const int at = static_cast<int>(out.text.size());
    const bool word_start =
        u.cls == NormalizedText::kCjk || (u.cls == NormalizedText::kWord &&
                                          (at == 0 || out.classes.back() != NormalizedText::kWord));
    if (word_start) out.word_starts.push_back(at);
    for (char c : bytes) {
      out.text.push_back(c);
      out.classes.push_back(u.cls);
      out.origin_begin.push_back(u.begin);
      out.origin_end.push_back(u.end);
    }
  }
  out.trigrams.assign(NormalizedText::kTrigramBits / 64, 0);
  for (size_t i = 0; i + 3 <= out.text.size(); ++i) {
    const int t = NormalizedText::TrigramOf(absl::string_view(out.text).substr(i, 3));
    out.trigrams[t >> 6] |= uint64_t{1} << (t & 63);
  }
  return out;
}

int NormalizedText::TrigramOf(absl::string_view three) {
  const auto b = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(three[i])); };
  const uint32_t h = (b(0) * 0x9E3779B1u) ^ (b(1) * 0x85EBCA77u) ^ (b(2) * 0xC2B2AE3Du);
  return static_cast<int>((h >> 7) % kTrigramBits);
}

int NormalizedText::WordsBetween(int from, int to) const {
  if (to <= from) return 0;
  auto lo = std::lower_bound(word_starts.begin(), word_starts.end(), from);
  auto hi = std::lower_bound(word_starts.begin(), word_starts.end(), to);
  return static_cast<int>(hi - lo);
}

std::string NormalizedText::Original(absl::string_view original, int begin, int end) const {
  if (begin >= end) return "";
  const int b = origin_begin[begin];
  const int e = origin_end[end - 1];
  return std::string(original.substr(b, e - b));
}

// ---- Patterns ---------------------------------------------------------------

absl::StatusOr<Pattern> Pattern::Compile(absl::string_view written) {
  const NormalizedText n = Normalize(written);
  if (n.text.empty()) return absl::InvalidArgumentError("empty pattern");
  Pattern p;
  p.written_ = std::string(written);
  std::string part;
  for (size_t i = 0; i < n.text.size(); ++i) {
    if (n.text[i] != '*') {
      part.push_back(n.text[i]);
      continue;
    }
    if (i == 0 || n.classes[i - 1] != NormalizedText::kWord) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pattern \"", written, "\": '*' must follow a letter or digit (it extends a word)"));
    }
    if (i + 1 < n.text.size() && n.classes[i + 1] == NormalizedText::kWord) {
      return absl::InvalidArgumentError(
          absl::StrCat("pattern \"", written, "\": '*' must end a word"));
    }
    p.parts_.push_back(part);
    part.clear();
  }
  p.parts_.push_back(part);
  p.boundary_left_ = n.classes.front() == NormalizedText::kWord;
  p.boundary_right_ = n.text.back() != '*' && n.classes.back() == NormalizedText::kWord;
  if (p.parts_[0].size() >= 3) p.trigram_ = NormalizedText::TrigramOf(p.parts_[0]);
  return p;
}

void Pattern::FindAll(const NormalizedText& t, std::vector<Span>* out) const {
  if (trigram_ >= 0 && !t.MayContain(trigram_)) return;
  const std::string& s = t.text;
  const int size = static_cast<int>(s.size());
  const auto is_word = [&](int i) { return i >= 0 && i < size && t.classes[i] == t.kWord; };
  for (size_t found = s.find(parts_[0]); found != std::string::npos;
       found = s.find(parts_[0], found + 1)) {
    const int begin = static_cast<int>(found);
    if (boundary_left_ && is_word(begin - 1)) continue;
    int cur = begin + static_cast<int>(parts_[0].size());
    bool ok = true;
    for (size_t k = 1; k < parts_.size() && ok; ++k) {
      while (is_word(cur)) ++cur;  // the wildcard before part k
      ok = s.compare(cur, parts_[k].size(), parts_[k]) == 0;
      cur += static_cast<int>(parts_[k].size());
    }
    if (!ok || cur > size || (boundary_right_ && is_word(cur))) continue;
    out->push_back({begin, cur});
  }
}

}  // namespace regenatlas::catalog::classification
