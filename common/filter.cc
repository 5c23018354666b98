#include "common/filter.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/filter_eval.h"
#include "common/status_macros.h"

namespace regenatlas::filter {
namespace {

absl::Status Error(size_t pos, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("filter: ", what, " (at offset ", pos, ")"));
}

// Length of the strict UTF-8 sequence at s[i] (no overlong forms, surrogates
// or code points above U+10FFFF); 0 when the bytes there are not one.
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return len;
}

// User text in double quotes for an error message: at most kMaxQuotedBytes
// of it, cut at a character boundary (then followed by "... (N bytes)").
// Control characters and bytes that are not UTF-8 are shown as \xNN, so the
// message stays short, printable and valid UTF-8 whatever the input.
std::string Quote(absl::string_view text) {
  std::string out = "\"";
  size_t quoted = 0;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = Utf8SequenceLength(text, i);
    std::string piece;
    if (len == 0 || (len == 1 && (c < 0x20 || c == 0x7F))) {
      piece = absl::StrFormat("\\x%02X", c);
      len = 1;
    } else {
      piece = std::string(text.substr(i, len));
    }
    if (quoted + piece.size() > kMaxQuotedBytes) {
      return absl::StrCat(out, "\"... (", text.size(), " bytes)");
    }
    out += piece;
    quoted += piece.size();
    i += len;
  }
  out += '"';
  return out;
}

struct Token {
  enum class Type { kWord, kString, kOp, kLParen, kRParen, kMinus, kEnd };
  Type type;
  std::string text;
  size_t pos;
};

bool IsWordChar(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != '=' &&
         c != '!' && c != '<' && c != '>' && c != ':' && c != '"';
}

absl::StatusOr<std::vector<Token>> Lex(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t start = i;
    if (c == '(') {
      tokens.push_back({Token::Type::kLParen, "(", start});
      ++i;
    } else if (c == ')') {
      tokens.push_back({Token::Type::kRParen, ")", start});
      ++i;
    } else if (c == '"' || c == '\'') {
      const char quote = c;
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          value.push_back(text[i + 1]);
          i += 2;
          continue;
        }
        if (text[i] == quote) {
          closed = true;
          ++i;
          break;
        }
        value.push_back(text[i++]);
      }
      if (!closed) return Error(start, "unterminated string");
      tokens.push_back({Token::Type::kString, value, start});
    } else if (c == '=' || c == ':' || c == '<' || c == '>' || c == '!') {
      std::string op(1, c);
      if (i + 1 < text.size() && text[i + 1] == '=' && c != '=' && c != ':') {
        op.push_back('=');
      }
      if (op == "!") return Error(start, "'!' must be followed by '='");
      tokens.push_back({Token::Type::kOp, op, start});
      i += op.size();
    } else if (c == '-' && (tokens.empty() || tokens.back().type != Token::Type::kOp)) {
      tokens.push_back({Token::Type::kMinus, "-", start});
      ++i;
    } else {
      while (i < text.size() && IsWordChar(text[i])) ++i;
      tokens.push_back({Token::Type::kWord, std::string(text.substr(start, i - start)), start});
    }
  }
  tokens.push_back({Token::Type::kEnd, "", text.size()});
  return tokens;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<std::unique_ptr<Node>> ParseAll() {
    auto node = Expression();
    if (!node.ok()) return node;
    if (Peek().type != Token::Type::kEnd) {
      return Error(Peek().pos, absl::StrCat("unexpected ", Quote(Peek().text)));
    }
    return node;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool IsKeyword(const Token& t, absl::string_view kw) const {
    return t.type == Token::Type::kWord && t.text == kw;
  }

  static std::unique_ptr<Node> Combine(Node::Kind kind, std::vector<std::unique_ptr<Node>> parts) {
    if (parts.size() == 1) return std::move(parts[0]);
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->children = std::move(parts);
    return node;
  }

  absl::StatusOr<std::unique_ptr<Node>> Expression() {
    std::vector<std::unique_ptr<Node>> parts;
    auto first = Sequence();
    if (!first.ok()) return first;
    parts.push_back(*std::move(first));
    while (IsKeyword(Peek(), "AND")) {
      ++pos_;
      auto next = Sequence();
      if (!next.ok()) return next;
      parts.push_back(*std::move(next));
    }
    return Combine(Node::Kind::kAnd, std::move(parts));
  }

  bool StartsTerm(const Token& t) const {
    return (t.type == Token::Type::kWord && t.text != "AND" && t.text != "OR") ||
           t.type == Token::Type::kLParen || t.type == Token::Type::kMinus;
  }

  absl::StatusOr<std::unique_ptr<Node>> Sequence() {
    std::vector<std::unique_ptr<Node>> parts;
    auto first = Factor();
    if (!first.ok()) return first;
    parts.push_back(*std::move(first));
    while (StartsTerm(Peek())) {
      auto next = Factor();
      if (!next.ok()) return next;
      parts.push_back(*std::move(next));
    }
    return Combine(Node::Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<std::unique_ptr<Node>> Factor() {
    std::vector<std::unique_ptr<Node>> parts;
    auto first = Term();
    if (!first.ok()) return first;
    parts.push_back(*std::move(first));
    while (IsKeyword(Peek(), "OR")) {
      ++pos_;
      auto next = Term();
      if (!next.ok()) return next;
      parts.push_back(*std::move(next));
    }
    return Combine(Node::Kind::kOr, std::move(parts));
  }

  // Opens one nesting level for the construct at `pos`; INVALID_ARGUMENT
  // instead of recursing past kMaxFilterDepth. Leave() closes it.
  absl::Status Enter(size_t pos) {
    if (depth_ >= kMaxFilterDepth) {
      return Error(pos, absl::StrCat("nesting deeper than ", kMaxFilterDepth, " levels"));
    }
    ++depth_;
    return absl::OkStatus();
  }
  void Leave() { --depth_; }

  absl::StatusOr<std::unique_ptr<Node>> Term() {
    if (IsKeyword(Peek(), "NOT") || Peek().type == Token::Type::kMinus) {
      if (absl::Status s = Enter(Peek().pos); !s.ok()) return s;
      ++pos_;
      auto inner = Simple();
      Leave();
      if (!inner.ok()) return inner;
      auto node = std::make_unique<Node>();
      node->kind = Node::Kind::kNot;
      node->children.push_back(*std::move(inner));
      return node;
    }
    return Simple();
  }

  absl::StatusOr<std::unique_ptr<Node>> Simple() {
    const Token& t = Peek();
    if (t.type == Token::Type::kLParen) {
      if (absl::Status s = Enter(t.pos); !s.ok()) return s;
      ++pos_;
      auto inner = Expression();
      Leave();
      if (!inner.ok()) return inner;
      if (Peek().type != Token::Type::kRParen) return Error(Peek().pos, "missing ')'");
      ++pos_;
      return inner;
    }
    if (t.type != Token::Type::kWord || t.text == "AND" || t.text == "OR" || t.text == "NOT") {
      if (t.type == Token::Type::kEnd) return Error(t.pos, "unexpected end of filter");
      return Error(t.pos, absl::StrCat("expected a field name, got ", Quote(t.text)));
    }
    auto node = std::make_unique<Node>();
    node->field = t.text;
    node->position = t.pos;
    ++pos_;
    const Token& op = Peek();
    if (op.type != Token::Type::kOp) {
      return Error(op.pos, absl::StrCat("expected an operator (=, !=, <, <=, >, >=, :) after ",
                                        Quote(node->field)));
    }
    static const auto* kOps = new std::map<std::string, Op>{
        {"=", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt}, {"<=", Op::kLe},
        {">", Op::kGt}, {">=", Op::kGe}, {":", Op::kHas}};
    node->op = kOps->at(op.text);
    ++pos_;
    const Token& value = Peek();
    if (value.type != Token::Type::kWord && value.type != Token::Type::kString) {
      return Error(value.pos,
                   absl::StrCat("expected a value after ", Quote(node->field + op.text)));
    }
    node->value = value.text;
    ++pos_;
    return node;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  // Levels of "(" and NOT / "-" open around the current token.
  int depth_ = 0;
};

// filter::Postings as the set operations of EvaluateWith.
class SortedIdSets {
 public:
  explicit SortedIdSets(Postings& postings) : postings_(postings) {}
  absl::StatusOr<std::vector<std::string>> Match(const std::string& field, const FieldSpec& spec,
                                                 Op op, const std::string& value) {
    return postings_.Match(field, spec, op, value);
  }
  absl::StatusOr<std::vector<std::string>> All() { return postings_.All(); }
  static std::vector<std::string> Intersect(std::vector<std::string> a,
                                            const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  }
  static std::vector<std::string> Union(std::vector<std::string> a,
                                        const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  }
  static std::vector<std::string> Difference(std::vector<std::string> a,
                                             const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  }

 private:
  Postings& postings_;
};

std::string OpText(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kHas:
      return ":";
  }
  return "?";
}

absl::Status ResolveCompare(Node* node, const Schema& schema) {
  auto it = schema.find(node->field);
  if (it == schema.end()) {
    std::vector<std::string> names;
    for (const auto& [name, spec] : schema) names.push_back(name);
    return Error(node->position, absl::StrCat("unknown field ", Quote(node->field),
                                              "; filterable fields: ", absl::StrJoin(names, ", ")));
  }
  const FieldSpec& spec = it->second;
  const bool ordered_op =
      node->op == Op::kLt || node->op == Op::kLe || node->op == Op::kGt || node->op == Op::kGe;
  if (ordered_op && !spec.ordered) {
    return Error(node->position, absl::StrCat("field ", Quote(node->field), " does not support ",
                                              OpText(node->op)));
  }
  if (node->op == Op::kHas && node->value == "*") return absl::OkStatus();
  std::string v = node->value;
  auto bad_value = [&](absl::string_view why) {
    return Error(node->position, absl::StrCat("invalid value ", Quote(v), " for field ",
                                              Quote(node->field), ": ", why));
  };
  switch (spec.type) {
    case FieldType::kEnum: {
      std::string upper = absl::AsciiStrToUpper(v);
      std::string full =
          absl::StartsWith(upper, spec.enum_prefix) ? upper : spec.enum_prefix + upper;
      if (std::find(spec.enum_values.begin(), spec.enum_values.end(), full) ==
              spec.enum_values.end() ||
          absl::EndsWith(full, "_UNSPECIFIED")) {
        std::vector<std::string> shorts;
        for (const std::string& e : spec.enum_values) {
          if (!absl::EndsWith(e, "_UNSPECIFIED")) {
            shorts.push_back(e.substr(spec.enum_prefix.size()));
          }
        }
        return bad_value(absl::StrCat("expected one of ", absl::StrJoin(shorts, ", ")));
      }
      node->value = full;
      break;
    }
    case FieldType::kInt: {
      int64_t n;
      if (!absl::SimpleAtoi(v, &n)) return bad_value("expected an integer");
      node->value = absl::StrCat(n);
      break;
    }
    case FieldType::kBool: {
      std::string lower = absl::AsciiStrToLower(v);
      if (lower != "true" && lower != "false") return bad_value("expected true or false");
      node->value = lower;
      break;
    }
    case FieldType::kResource: {
      std::string prefix = spec.collection + "/";
      std::string id = absl::StartsWith(v, prefix) ? v.substr(prefix.size()) : v;
      if (id.empty() || id.find('/') != std::string::npos) {
        return bad_value(absl::StrCat("expected ", spec.collection, "/{id} or {id}"));
      }
      node->value = prefix + id;
      break;
    }
    case FieldType::kString:
      break;
  }
  if (spec.normalize) {
    std::optional<std::string> n = spec.normalize(node->value);
    if (!n.has_value()) return bad_value("not a valid value for this field");
    node->value = *n;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Node>> Parse(absl::string_view text) {
  if (absl::StripAsciiWhitespace(text).empty()) return std::unique_ptr<Node>();
  if (text.size() > kMaxFilterLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter: longer than ", kMaxFilterLength, " bytes"));
  }
  auto tokens = Lex(text);
  if (!tokens.ok()) return tokens.status();
  return Parser(*std::move(tokens)).ParseAll();
}

absl::Status Resolve(Node* node, const Schema& schema) {
  if (node == nullptr) return absl::OkStatus();
  if (node->kind == Node::Kind::kCompare) return ResolveCompare(node, schema);
  for (auto& child : node->children) {
    RETURN_IF_ERROR(Resolve(child.get(), schema));
  }
  return absl::OkStatus();
}

std::string Canonical(const Node* node) {
  if (node == nullptr) return "";
  switch (node->kind) {
    case Node::Kind::kCompare:
      return absl::StrCat(node->field, OpText(node->op), "\"",
                          absl::StrReplaceAll(node->value, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
    case Node::Kind::kNot:
      return absl::StrCat("NOT(", Canonical(node->children[0].get()), ")");
    case Node::Kind::kAnd:
    case Node::Kind::kOr: {
      std::vector<std::string> parts;
      for (const auto& c : node->children) parts.push_back(Canonical(c.get()));
      return absl::StrCat(node->kind == Node::Kind::kAnd ? "AND(" : "OR(",
                          absl::StrJoin(parts, ","), ")");
    }
  }
  return "";
}

absl::StatusOr<std::vector<std::string>> Evaluate(const Node* node, const Schema& schema,
                                                  Postings& postings) {
  SortedIdSets sets(postings);
  return EvaluateWith<std::vector<std::string>>(node, schema, sets);
}

absl::StatusOr<std::vector<OrderTerm>> ParseOrderBy(absl::string_view text,
                                                    const std::vector<std::string>& allowed) {
  std::vector<OrderTerm> terms;
  if (absl::StripAsciiWhitespace(text).empty()) return terms;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(absl::StripAsciiWhitespace(part), ' ', absl::SkipEmpty());
    if (words.empty() || words.size() > 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("order_by: ", Quote(part), " is not \"field [asc|desc]\""));
    }
    OrderTerm term;
    term.field = std::string(words[0]);
    if (std::find(allowed.begin(), allowed.end(), term.field) == allowed.end()) {
      return absl::InvalidArgumentError(absl::StrCat("order_by: cannot order by ",
                                                     Quote(term.field),
                                                     "; allowed: ", absl::StrJoin(allowed, ", ")));
    }
    if (words.size() == 2) {
      std::string dir = absl::AsciiStrToLower(words[1]);
      if (dir != "asc" && dir != "desc") {
        return absl::InvalidArgumentError(
            absl::StrCat("order_by: direction must be asc or desc, got ", Quote(words[1])));
      }
      term.descending = dir == "desc";
    }
    terms.push_back(term);
  }
  return terms;
}

}  // namespace regenatlas::filter
