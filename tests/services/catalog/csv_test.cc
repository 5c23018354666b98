// The CSV tokenizer and header lookup (services/catalog/csv.h) on small
// inline inputs, each read whole and one byte at a time.

#include "services/catalog/csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/byte_source.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Fields = std::vector<std::string>;

std::vector<CsvRow> ReadAll(const std::string& text, size_t chunk_size, CsvOptions options = {}) {
  std::unique_ptr<ByteSource> source = MemorySource(text, chunk_size);
  CsvReader reader(source.get(), options);
  std::vector<CsvRow> rows;
  CsvRow row;
  while (reader.Next(&row)) rows.push_back(row);
  return rows;
}

// Reads `text` with big chunks and with one-byte chunks, and checks both
// agree, so quotes and CRLF split across chunks are covered everywhere.
std::vector<CsvRow> Read(const std::string& text, CsvOptions options = {}) {
  std::vector<CsvRow> whole = ReadAll(text, 1 << 16, options);
  std::vector<CsvRow> bytes = ReadAll(text, 1, options);
  EXPECT_EQ(whole.size(), bytes.size()) << text;
  for (size_t i = 0; i < whole.size() && i < bytes.size(); ++i) {
    EXPECT_EQ(whole[i].fields, bytes[i].fields) << text;
    EXPECT_EQ(whole[i].number, bytes[i].number) << text;
    EXPECT_EQ(whole[i].line, bytes[i].line) << text;
    EXPECT_EQ(whole[i].error, bytes[i].error) << text;
  }
  return whole;
}

TEST(CsvReaderTest, PlainRowsWithLfCrlfAndCr) {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    std::vector<CsvRow> rows = Read("a,b,c" + eol + "1,2,3" + eol);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
    EXPECT_THAT(rows[1].fields, ElementsAre("1", "2", "3"));
    EXPECT_EQ(rows[1].number, 2);
    EXPECT_EQ(rows[1].line, 2);
  }
}

TEST(CsvReaderTest, LastRowWithoutLineEnd) {
  std::vector<CsvRow> rows = Read("a,b\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2"));
}

TEST(CsvReaderTest, EmptyFieldsAndTrailingDelimiter) {
  std::vector<CsvRow> rows = Read(",x,\n\"\",,\"\"\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("", "x", ""));
  EXPECT_THAT(rows[1].fields, ElementsAre("", "", ""));
}

TEST(CsvReaderTest, QuotedDelimitersQuotesAndLineBreaks) {
  std::vector<CsvRow> rows =
      Read("id,text\r\n1,\"a, b \"\"quoted\"\"\r\nsecond line\"\r\n2,plain\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "a, b \"quoted\"\r\nsecond line"));
  EXPECT_TRUE(rows[1].error.empty());
  // The quoted line break moves the line, not the row number.
  EXPECT_EQ(rows[2].number, 3);
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvReaderTest, SkipsUtf8ByteOrderMark) {
  std::vector<CsvRow> rows = Read("\xEF\xBB\xBFNCT Number,Title\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("NCT Number", "Title"));
}

TEST(CsvReaderTest, BlankLinesAreSkippedButCounted) {
  std::vector<CsvRow> rows = Read("a\n\n\nb\n\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("b"));
  EXPECT_EQ(rows[1].number, 4);
  EXPECT_EQ(rows[1].line, 4);
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsARowErrorAndReadingGoesOn) {
  std::vector<CsvRow> rows = Read("a,b\n1,x\"y\n2,z\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[1].error, HasSubstr("inside unquoted field 2"));
  EXPECT_EQ(rows[1].error_column, 1);
  EXPECT_FALSE(rows[1].fatal);
  EXPECT_THAT(rows[2].fields, ElementsAre("2", "z"));
  EXPECT_TRUE(rows[2].error.empty());
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsARowError) {
  std::vector<CsvRow> rows = Read("\"ab\"c,d\nok,1\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].error, HasSubstr("after the closing quote of field 1"));
  EXPECT_THAT(rows[0].fields, ElementsAre("abc", "d"));
  EXPECT_THAT(rows[1].fields, ElementsAre("ok", "1"));
}

TEST(CsvReaderTest, UnclosedQuoteAtEndIsFatal) {
  std::vector<CsvRow> rows = Read("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[1].fatal);
  EXPECT_THAT(rows[1].error, HasSubstr("quoted field that starts on line 2"));
}

TEST(CsvReaderTest, OverlongRecordIsFatal) {
  CsvOptions options;
  options.max_record_bytes = 16;
  std::vector<CsvRow> rows = Read("short\n\"" + std::string(100, 'x') + "\"\nafter\n", options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[1].fatal);
  EXPECT_THAT(rows[1].error, HasSubstr("longer than 16 bytes"));
}

TEST(CsvReaderTest, Utf16IsRefused) {
  std::vector<CsvRow> rows =
      Read(std::string("\xFF\xFE"
                       "a\0,\0b\0",
                       8));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].fatal);
  EXPECT_THAT(rows[0].error, HasSubstr("UTF-16"));
}

TEST(CsvReaderTest, EmptyInputHasNoRows) {
  EXPECT_TRUE(Read("").empty());
  EXPECT_TRUE(Read("\n\r\n").empty());
}

TEST(CsvReaderTest, OtherDelimiter) {
  CsvOptions options;
  options.delimiter = ';';
  std::vector<CsvRow> rows = Read("a;\"b;c\",d\n", options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b;c,d"));
}

TEST(CsvHeaderTest, FindsColumnsIgnoringCaseSpacesAndUnderscores) {
  const CsvHeader header({"TrialID", "Date registration", "Bridging flag truefalse", "TrialID"});
  EXPECT_EQ(header.Find("trialid"), 0u);
  EXPECT_EQ(header.Find("Date_registration"), 1u);
  EXPECT_EQ(header.Find("DATE REGISTRATION"), 1u);
  EXPECT_EQ(header.Find("Bridging_flag_truefalse"), 2u);
  EXPECT_EQ(header.Find("Phase"), std::nullopt);
  EXPECT_EQ(header.size(), 4u);
  EXPECT_EQ(NormalizeColumnName("NCT Number"), "nctnumber");
}

}  // namespace
}  // namespace regenatlas::catalog
