// Limits of the filter parser under hostile input: nesting depth, error
// message size and encoding. Each of these used to crash (stack overflow) or
// echo kilobytes of the request back.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace regenatlas::filter {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;

// Messages must stay this short whatever the input (the longest quoted part
// is kMaxQuotedBytes).
constexpr size_t kShortMessage = 200;

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, s);
  return out;
}

// Strict UTF-8 check, independent of the parser's own.
bool IsUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

void ExpectNestingError(const std::string& text) {
  absl::StatusOr<std::unique_ptr<Node>> r = Parse(text);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << text.substr(0, 80);
  EXPECT_THAT(std::string(r.status().message()),
              AllOf(HasSubstr("filter"), AnyOf(HasSubstr("nesting"), HasSubstr("depth"))));
  EXPECT_LT(r.status().message().size(), kShortMessage);
}

TEST(FilterLimitsTest, DeepParenthesesAreInvalidArgumentNotAStackOverflow) {
  // 10,000 levels do not fit in kMaxFilterLength; the deepest filters that do
  // must be stopped by the depth limit, balanced or not.
  ASSERT_LT(4000 * 2 + 3, static_cast<int>(kMaxFilterLength));
  ExpectNestingError(Repeat("(", 4000) + "a=1" + Repeat(")", 4000));
  ExpectNestingError(Repeat("(", 8000));
  ExpectNestingError(Repeat("( ", 4000) + "a = 1");
  // The reproducer: ~6,400 '(' and nothing else.
  ExpectNestingError(Repeat("(", 6400));

  absl::StatusOr<std::unique_ptr<Node>> too_long = Parse(Repeat("(", 10000));
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.status().message()), HasSubstr("filter"));
}

TEST(FilterLimitsTest, DeepNegationsAreInvalidArgument) {
  ExpectNestingError(Repeat("NOT (", 1000) + "a=1" + Repeat(")", 1000));
  ExpectNestingError(Repeat("-(", 4000));
  ExpectNestingError(Repeat("NOT(", 2000));
  ExpectNestingError(Repeat("-(a=1 OR ", 800) + "b=2" + Repeat(")", 800));
  // NOT NOT is not in the grammar; it must be a plain syntax error.
  absl::StatusOr<std::unique_ptr<Node>> r = Parse(Repeat("NOT ", 2000) + "a=1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(r.status().message().size(), kShortMessage);
  r = Parse(Repeat("-", 8000) + "a=1");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(r.status().message().size(), kShortMessage);
}

TEST(FilterLimitsTest, NestingUpToTheLimitIsAccepted) {
  const int depth = kMaxFilterDepth;
  absl::StatusOr<std::unique_ptr<Node>> ok = Parse(Repeat("(", depth) + "a=1" + Repeat(")", depth));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(Canonical(ok->get()), "a=\"1\"");
  ExpectNestingError(Repeat("(", depth + 1) + "a=1" + Repeat(")", depth + 1));

  // NOT and "(" each open a level.
  ok = Parse(Repeat("NOT (", depth / 2) + "a=1" + Repeat(")", depth / 2));
  ASSERT_TRUE(ok.ok()) << ok.status();
  ExpectNestingError(Repeat("NOT (", depth / 2) + "NOT a=1" + Repeat(")", depth / 2));

  // Closing a level gives it back: siblings do not add up.
  ok = Parse(Repeat("(" + Repeat("(", depth - 1) + "a=1" + Repeat(")", depth - 1) + ") ", 20));
  ASSERT_TRUE(ok.ok()) << ok.status();

  absl::StatusOr<std::unique_ptr<Node>> nested =
      Parse(Repeat("(a=1 OR -(", depth / 3) + "b=2" + Repeat("))", depth / 3));
  ASSERT_TRUE(nested.ok()) << nested.status();
  Schema schema{{"a", FieldSpec{}}, {"b", FieldSpec{}}};
  EXPECT_TRUE(Resolve(nested->get(), schema).ok());
  EXPECT_FALSE(Canonical(nested->get()).empty());
}

TEST(FilterLimitsTest, ErrorMessagesQuoteOnlyAShortPrefixOfTheInput) {
  const std::string word(8000, 'x');
  for (const std::string& text : std::vector<std::string>{
           word,                                         // field without operator
           "a = 1 \"" + word + "\"",                     // unexpected string
           "a = 1 ) " + word,                            // unexpected ")"
           word + " =",                                  // missing value
           "AND" + word + " = 1 OR OR",                  // bad field later
           "a = 1 AND " + Repeat("\xE2\x82\xAC", 2600),  // UTF-8 field name
           "a = 1 AND " + Repeat("\xFF\x01", 3000),      // bytes that are not UTF-8
       }) {
    absl::StatusOr<std::unique_ptr<Node>> r = Parse(text);
    ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << text.substr(0, 40);
    const std::string message(r.status().message());
    EXPECT_LT(message.size(), kShortMessage) << message;
    EXPECT_THAT(message, HasSubstr("filter: ")) << message;
    EXPECT_TRUE(IsUtf8(message)) << message;
  }
}

TEST(FilterLimitsTest, ShortQuotesAreKeptWholeAndLongOnesCutAtACharacter) {
  absl::StatusOr<std::unique_ptr<Node>> r = Parse("a = 1 )");
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("unexpected \")\""));

  // 2-byte characters: 64 bytes is 32 of them, never half of one.
  r = Parse(Repeat("\xC3\xA9", 100));
  const std::string message(r.status().message());
  EXPECT_TRUE(IsUtf8(message)) << message;
  EXPECT_THAT(message, HasSubstr("\"" + Repeat("\xC3\xA9", 32) + "\"... (200 bytes)"));

  // Control characters are shown as escapes.
  r = Parse("a\x01\x02 b");
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("\"a\\x01\\x02\""));
}

TEST(FilterLimitsTest, ResolveAndOrderByQuoteOnlyAShortPrefix) {
  Schema schema{{"a", FieldSpec{}}, {"n", FieldSpec{FieldType::kInt}}};
  const std::string word(5000, 'q');

  absl::StatusOr<std::unique_ptr<Node>> unknown = Parse(word + " = 1");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  absl::Status s = Resolve(unknown->get(), schema);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown field"));
  EXPECT_LT(s.message().size(), kShortMessage) << s.message();

  absl::StatusOr<std::unique_ptr<Node>> bad_value = Parse("n = \"" + word + "\"");
  ASSERT_TRUE(bad_value.ok()) << bad_value.status();
  s = Resolve(bad_value->get(), schema);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("expected an integer"));
  EXPECT_LT(s.message().size(), kShortMessage) << s.message();

  for (const std::string& order_by : {word, "a " + word, "a b c" + word}) {
    absl::StatusOr<std::vector<OrderTerm>> terms = ParseOrderBy(order_by, {"a"});
    EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(terms.status().message()), HasSubstr("order_by: "));
    EXPECT_LT(terms.status().message().size(), kShortMessage) << terms.status().message();
  }
}

}  // namespace
}  // namespace regenatlas::filter
