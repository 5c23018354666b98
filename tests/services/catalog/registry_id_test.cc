#include "services/catalog/registry_id.h"

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace regenatlas::catalog {
namespace {

using common::v1::Registry;
using common::v1::RegistryId;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// absl::string_view is not std::string_view in this abseil build, and gMock's
// string matchers only take std::string.
std::string Message(const absl::Status& status) { return std::string(status.message()); }

struct ValidCase {
  const char* input;
  Registry registry;
  const char* canonical;
};

// Makes failures name the input rather than dump the struct's bytes.
void PrintTo(const ValidCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }

class ValidRegistryIdTest : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidRegistryIdTest, ParsesToCanonical) {
  const ValidCase& c = GetParam();
  absl::StatusOr<RegistryId> id = ParseRegistryId(c.input);
  ASSERT_TRUE(id.ok()) << c.input << ": " << id.status();
  EXPECT_EQ(id->registry(), c.registry) << c.input;
  EXPECT_EQ(id->id(), c.canonical) << c.input;
  // Canonical output parses to itself.
  absl::StatusOr<RegistryId> again = ParseRegistryId(id->id());
  ASSERT_TRUE(again.ok()) << id->id() << ": " << again.status();
  EXPECT_EQ(again->id(), id->id());
  EXPECT_EQ(again->registry(), id->registry());
}

INSTANTIATE_TEST_SUITE_P(
    CanonicalForms, ValidRegistryIdTest,
    ::testing::Values(
        ValidCase{"NCT05068674", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"NCT00000102", common::v1::REGISTRY_NCT, "NCT00000102"},
        ValidCase{"jRCT2090220384", common::v1::REGISTRY_JRCT, "jRCT2090220384"},
        ValidCase{"jRCT1030190220", common::v1::REGISTRY_JRCT, "jRCT1030190220"},
        ValidCase{"jRCTa031190228", common::v1::REGISTRY_JRCT, "jRCTa031190228"},
        ValidCase{"jRCTb030190001", common::v1::REGISTRY_JRCT, "jRCTb030190001"},
        ValidCase{"jRCTc030190002", common::v1::REGISTRY_JRCT, "jRCTc030190002"},
        ValidCase{"jRCTe030190003", common::v1::REGISTRY_JRCT, "jRCTe030190003"},
        ValidCase{"jRCTs032200045", common::v1::REGISTRY_JRCT, "jRCTs032200045"},
        ValidCase{"ChiCTR2000031319", common::v1::REGISTRY_CHICTR, "ChiCTR2000031319"},
        ValidCase{"ChiCTR2400089728", common::v1::REGISTRY_CHICTR, "ChiCTR2400089728"},
        ValidCase{"ChiCTR-IOR-17011234", common::v1::REGISTRY_CHICTR, "ChiCTR-IOR-17011234"},
        ValidCase{"ChiCTR-TRC-12002110", common::v1::REGISTRY_CHICTR, "ChiCTR-TRC-12002110"},
        ValidCase{"ChiCTR-OPC-16009352", common::v1::REGISTRY_CHICTR, "ChiCTR-OPC-16009352"},
        ValidCase{"ChiCTR-ONRC-14004567", common::v1::REGISTRY_CHICTR, "ChiCTR-ONRC-14004567"},
        ValidCase{"ChiCTR-RR-15006789", common::v1::REGISTRY_CHICTR, "ChiCTR-RR-15006789"},
        ValidCase{"CTR20253094", common::v1::REGISTRY_CTR, "CTR20253094"},
        ValidCase{"UMIN000012345", common::v1::REGISTRY_UMIN, "UMIN000012345"},
        ValidCase{"ACTRN12617000123456", common::v1::REGISTRY_ACTRN, "ACTRN12617000123456"},
        ValidCase{"IRCT20190101012345N1", common::v1::REGISTRY_IRCT, "IRCT20190101012345N1"},
        ValidCase{"IRCT138901162869N2", common::v1::REGISTRY_IRCT, "IRCT138901162869N2"},
        ValidCase{"IRCT2012061910048N12", common::v1::REGISTRY_IRCT, "IRCT2012061910048N12"},
        ValidCase{"JMA-IIA00123", common::v1::REGISTRY_JMA_IIA, "JMA-IIA00123"},
        ValidCase{"2015-001234-56", common::v1::REGISTRY_EUDRACT, "2015-001234-56"},
        ValidCase{"1990-000001-01", common::v1::REGISTRY_EUDRACT, "1990-000001-01"},
        ValidCase{"2023-501234-12-00", common::v1::REGISTRY_CTIS, "2023-501234-12-00"},
        ValidCase{"ISRCTN12345678", common::v1::REGISTRY_ISRCTN, "ISRCTN12345678"},
        ValidCase{"KCT0001234", common::v1::REGISTRY_KCT, "KCT0001234"},
        ValidCase{"CTRI/2019/01/017123", common::v1::REGISTRY_CTRI, "CTRI/2019/01/017123"},
        ValidCase{"CTRI/2009/091/000475", common::v1::REGISTRY_CTRI, "CTRI/2009/091/000475"},
        ValidCase{"CXSL2200194", common::v1::REGISTRY_CDE, "CXSL2200194"},
        ValidCase{"CXSB2100012", common::v1::REGISTRY_CDE, "CXSB2100012"},
        ValidCase{"CXSS2300045", common::v1::REGISTRY_CDE, "CXSS2300045"},
        ValidCase{"JXSL2000123", common::v1::REGISTRY_CDE, "JXSL2000123"},
        ValidCase{"JXSB1900456", common::v1::REGISTRY_CDE, "JXSB1900456"},
        ValidCase{"JXSS2400789", common::v1::REGISTRY_CDE, "JXSS2400789"},
        ValidCase{"CXHL2101234", common::v1::REGISTRY_CDE, "CXHL2101234"},
        ValidCase{"CXHB2000001", common::v1::REGISTRY_CDE, "CXHB2000001"},
        ValidCase{"CXHS1800099", common::v1::REGISTRY_CDE, "CXHS1800099"},
        ValidCase{"CYSB2200002", common::v1::REGISTRY_CDE, "CYSB2200002"}));

INSTANTIATE_TEST_SUITE_P(
    Normalisation, ValidRegistryIdTest,
    ::testing::Values(
        // Case of the prefix (and of the letters that are part of the ID).
        ValidCase{"nct05068674", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"Nct05068674", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"JRCT2090220384", common::v1::REGISTRY_JRCT, "jRCT2090220384"},
        ValidCase{"JRCTA031190228", common::v1::REGISTRY_JRCT, "jRCTa031190228"},
        ValidCase{"jrcts032200045", common::v1::REGISTRY_JRCT, "jRCTs032200045"},
        ValidCase{"CHICTR2000031319", common::v1::REGISTRY_CHICTR, "ChiCTR2000031319"},
        ValidCase{"chictr-ior-17011234", common::v1::REGISTRY_CHICTR, "ChiCTR-IOR-17011234"},
        ValidCase{"ctr20253094", common::v1::REGISTRY_CTR, "CTR20253094"},
        ValidCase{"umin000012345", common::v1::REGISTRY_UMIN, "UMIN000012345"},
        ValidCase{"actrn12617000123456", common::v1::REGISTRY_ACTRN, "ACTRN12617000123456"},
        ValidCase{"irct20190101012345n1", common::v1::REGISTRY_IRCT, "IRCT20190101012345N1"},
        ValidCase{"jma-iia00123", common::v1::REGISTRY_JMA_IIA, "JMA-IIA00123"},
        ValidCase{"isrctn12345678", common::v1::REGISTRY_ISRCTN, "ISRCTN12345678"},
        ValidCase{"kct0001234", common::v1::REGISTRY_KCT, "KCT0001234"},
        ValidCase{"ctri/2019/01/017123", common::v1::REGISTRY_CTRI, "CTRI/2019/01/017123"},
        ValidCase{"cxsl2200194", common::v1::REGISTRY_CDE, "CXSL2200194"},
        // Surrounding whitespace, including no-break, ideographic and BOM.
        ValidCase{"  NCT05068674\n", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"\tCTRI/2019/01/017123\r\n", common::v1::REGISTRY_CTRI, "CTRI/2019/01/017123"},
        ValidCase{"\xC2\xA0NCT05068674\xC2\xA0", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"\xE3\x80\x80jRCT2090220384\xE3\x80\x80", common::v1::REGISTRY_JRCT,
                  "jRCT2090220384"},
        ValidCase{"\xEF\xBB\xBFNCT05068674", common::v1::REGISTRY_NCT, "NCT05068674"},
        // Full-width letters, digits and punctuation.
        ValidCase{"ＮＣＴ05068674", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"ＮＣＴ０５０６８６７４", common::v1::REGISTRY_NCT, "NCT05068674"},
        ValidCase{"ｊＲＣＴａ０３１１９０２２８", common::v1::REGISTRY_JRCT, "jRCTa031190228"},
        ValidCase{"ＣｈｉＣＴＲ２００００３１３１９", common::v1::REGISTRY_CHICTR,
                  "ChiCTR2000031319"},
        ValidCase{"ＣｈｉＣＴＲ－ＩＯＲ－１７０１１２３４", common::v1::REGISTRY_CHICTR,
                  "ChiCTR-IOR-17011234"},
        ValidCase{"ＣＴＲＩ／２０１９／０１／０１７１２３", common::v1::REGISTRY_CTRI,
                  "CTRI/2019/01/017123"},
        ValidCase{"ＣＴＲ２０２５３０９４", common::v1::REGISTRY_CTR, "CTR20253094"},
        ValidCase{"　ＣＸＳＬ２２００１９４　", common::v1::REGISTRY_CDE, "CXSL2200194"},
        // Dash look-alikes: en dash, non-breaking hyphen, minus sign.
        ValidCase{"2015\xE2\x80\x93"
                  "001234\xE2\x80\x93"
                  "56",
                  common::v1::REGISTRY_EUDRACT, "2015-001234-56"},
        ValidCase{"2023\xE2\x80\x91"
                  "501234\xE2\x88\x92"
                  "12-00",
                  common::v1::REGISTRY_CTIS, "2023-501234-12-00"},
        ValidCase{"JMA\xE2\x80\x90IIA00123", common::v1::REGISTRY_JMA_IIA, "JMA-IIA00123"}));

struct InvalidCase {
  const char* input;
  const char* message_part;  // A distinctive part of the error message.
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }

class InvalidRegistryIdTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidRegistryIdTest, RejectsWithSpecificMessage) {
  const InvalidCase& c = GetParam();
  absl::StatusOr<RegistryId> id = ParseRegistryId(c.input);
  ASSERT_FALSE(id.ok()) << c.input << " parsed as " << id->id();
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument) << c.input;
  EXPECT_THAT(Message(id.status()), StartsWith("registry_id: ")) << c.input;
  EXPECT_THAT(Message(id.status()), HasSubstr(c.message_part)) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, InvalidRegistryIdTest,
    ::testing::Values(
        // Empty and whitespace-only.
        InvalidCase{"", "registry_id: required"}, InvalidCase{"   \t\n", "registry_id: required"},
        InvalidCase{"\xE3\x80\x80", "registry_id: required"},
        // Unknown prefixes.
        InvalidCase{"XYZ12345678",
                    "\"XYZ12345678\" is not a recognised registry ID; expected NCT…, jRCT…, "
                    "ChiCTR…"},
        // (EUCTR2015-001234-56 is ICTRP's form of a EudraCT number, see IctrpForms.)
        InvalidCase{"EUDRA2015-001234-56", "not a recognised registry ID"},
        InvalidCase{"CXZL2200194", "not a recognised registry ID"},
        InvalidCase{"-NCT05068674", "not a recognised registry ID"},
        // NCT.
        InvalidCase{"NCT0507867", "NCT IDs have 8 digits after \"NCT\"; \"NCT0507867\" has 7"},
        InvalidCase{"NCT050686741", "NCT IDs have 8 digits after \"NCT\"; \"NCT050686741\" has 9"},
        InvalidCase{"NCT", "\"NCT\" has 0"},
        InvalidCase{"NCT0506867X", "\"NCT0506867X\" has non-digit 'X' at position 11"},
        InvalidCase{"NCT-05068674", "has non-digit '-' at position 4"},
        InvalidCase{"NCT 05068674", "whitespace (U+0020) at position 4"},
        InvalidCase{"NCT05068674.", "has non-digit '.' at position 12"},
        // jRCT.
        InvalidCase{"jRCT209022038",
                    "jRCT IDs have 10 digits after \"jRCT\" (or a series letter a, b, c, e or s "
                    "and 9 digits); \"jRCT209022038\" has 9"},
        InvalidCase{"jRCT20902203845", "\"jRCT20902203845\" has 11"},
        InvalidCase{"jRCT3090220384",
                    "without a series letter have 1 or 2 after \"jRCT\"; "
                    "\"jRCT3090220384\" has '3'"},
        InvalidCase{"jRCTd031190228", "jRCT series letter 'd' in \"jRCTd031190228\" is not one of"},
        InvalidCase{"jRCTa03119022",
                    "jRCT IDs have 9 digits after \"jRCTa\"; \"jRCTa03119022\" has 8"},
        InvalidCase{"jRCT", "\"jRCT\" has 0"},
        // ChiCTR.
        InvalidCase{"ChiCTR200003131",
                    "ChiCTR IDs have 10 digits after \"ChiCTR\"; "
                    "\"ChiCTR200003131\" has 9"},
        InvalidCase{"ChiCTR-2000031319", "new-format ones have no hyphen"},
        InvalidCase{"ChiCTR-I-17011234", "2 to 4 letters after \"ChiCTR-\""},
        InvalidCase{"ChiCTR-IORXY-17011234", "\"ChiCTR-IORXY-17011234\" has 5"},
        InvalidCase{"ChiCTR-IOR17011234",
                    "'-' after the letters (ChiCTR-IOR-17011234); "
                    "\"ChiCTR-IOR17011234\" has '1' at position 11"},
        InvalidCase{"ChiCTR-IOR-1701123",
                    "8 digits after the letters; \"ChiCTR-IOR-1701123\" has 7"},
        // CTR, and its neighbours CTRI and ChiCTR.
        InvalidCase{"CTR2025309", "CTR IDs have 8 digits after \"CTR\"; \"CTR2025309\" has 7"},
        InvalidCase{"CTR-20253094", "CTR IDs have 8 digits"},
        InvalidCase{"CTRI2019/01/017123", "CTRI IDs look like CTRI/2019/01/017123"},
        // CTRI.
        InvalidCase{"CTRI-2019-01-017123", "CTRI IDs are separated by '/'"},
        InvalidCase{"CTRI/2019/01", "\"CTRI/2019/01\" has 2 parts"},
        InvalidCase{"CTRI/19/01/017123",
                    "4-digit year after \"CTRI/\"; \"CTRI/19/01/017123\" has 2"},
        InvalidCase{"CTRI/1985/01/017123",
                    "year 1985 in \"CTRI/1985/01/017123\" is outside 1990..2100"},
        InvalidCase{"CTRI/2019/13/017123", "month 13 in \"CTRI/2019/13/017123\" is not 01..12"},
        InvalidCase{"CTRI/2019/1/017123",
                    "2- or 3-digit month after the year; \"CTRI/2019/1/017123\" has 1"},
        InvalidCase{"CTRI/2019/01/17123",
                    "6-digit serial number after the month; \"CTRI/2019/01/17123\" has 5"},
        // UMIN, ACTRN, ISRCTN, KCT.
        InvalidCase{"UMIN00012345",
                    "UMIN IDs have 9 digits after \"UMIN\"; \"UMIN00012345\" has 8"},
        InvalidCase{"ACTRN1261700012345",
                    "ACTRN IDs have 14 digits after \"ACTRN\"; "
                    "\"ACTRN1261700012345\" has 13"},
        InvalidCase{"ISRCTN1234567",
                    "ISRCTN IDs have 8 digits after \"ISRCTN\"; "
                    "\"ISRCTN1234567\" has 7"},
        InvalidCase{"KCT00012345", "KCT IDs have 7 digits after \"KCT\"; \"KCT00012345\" has 8"},
        // IRCT.
        InvalidCase{"IRCT20190101012345", "\"IRCT20190101012345\" has no 'N'"},
        InvalidCase{"IRCT2019010101N1", "has 10 digits before 'N'"},
        InvalidCase{"IRCT20190101012345N", "has 0 digits after 'N'"},
        InvalidCase{"IRCT20190101012345N1234", "has 4 digits after 'N'"},
        InvalidCase{"IRCT20190101012345X1", "has non-digit 'X' at position 19"},
        // JMA.
        InvalidCase{"JMAIIA00123", "JMA IDs start with \"JMA-IIA\""},
        InvalidCase{"JMA-IIA0012",
                    "JMA IDs have 5 digits after \"JMA-IIA\"; \"JMA-IIA0012\" has 4"},
        // EudraCT and CTIS.
        InvalidCase{"2015-1234-56", "6-digit serial after the year; \"2015-1234-56\" has 4"},
        InvalidCase{"1985-001234-56", "year 1985 in \"1985-001234-56\" is outside 1990..2100"},
        InvalidCase{"2101-001234-56", "year 2101"},
        InvalidCase{"15-001234-56", "EudraCT numbers (YYYY-NNNNNN-CC) start with a 4-digit year"},
        InvalidCase{"2015-001234-5",
                    "2-digit check number after the serial; \"2015-001234-5\" has 1"},
        InvalidCase{"2015001234", "EudraCT number (YYYY-NNNNNN-CC"},
        InvalidCase{"2015/001234/56", "has 1 '-'-separated part"},
        InvalidCase{"2023-401234-12-00",
                    "CTIS numbers (YYYY-5NNNNN-CC-NN) have a serial starting "
                    "with 5; \"2023-401234-12-00\" has '4'"},
        InvalidCase{"2023-501234-12-0",
                    "CTIS numbers (YYYY-5NNNNN-CC-NN) end with a 2-digit number"},
        InvalidCase{"2023-501234-12-00-01", "has 5 '-'-separated parts"},
        // CDE.
        InvalidCase{"CXSL220019",
                    "CDE acceptance numbers have 7 digits after \"CXSL\"; "
                    "\"CXSL220019\" has 6"},
        // Bad characters and encodings.
        InvalidCase{"NCT05068674\xC3\xA9", "character U+00E9 'é' at position 12 is not allowed"},
        InvalidCase{"NCT\xE2\x80\x8B"
                    "05068674",
                    "whitespace (U+200B) at position 4"},
        InvalidCase{"NCT\x01"
                    "05068674",
                    "character U+0001 at position 4"},
        InvalidCase{"NCT\xFF"
                    "05068674",
                    "not valid UTF-8 (byte 0xFF at offset 3)"},
        InvalidCase{"NCT\xC0\xAE"
                    "05068674",
                    "not valid UTF-8 (byte 0xC0 at offset 3)"},
        InvalidCase{"NCT0506867\xE2", "not valid UTF-8"}));

// The registries of WHO ICTRP's primary-registry network, in the forms the
// ICTRP portal prints them (TrialID and secondary IDs of its export).
INSTANTIATE_TEST_SUITE_P(
    IctrpForms, ValidRegistryIdTest,
    ::testing::Values(
        ValidCase{"NTR1234", common::v1::REGISTRY_NTR, "NTR1234"},
        ValidCase{"NTR7", common::v1::REGISTRY_NTR, "NTR7"},
        ValidCase{"NL7253", common::v1::REGISTRY_NTR, "NL7253"},
        ValidCase{"NL-OMON20012", common::v1::REGISTRY_NTR, "NL-OMON20012"},
        ValidCase{"nl-omon51221", common::v1::REGISTRY_NTR, "NL-OMON51221"},
        ValidCase{"DRKS00021208", common::v1::REGISTRY_DRKS, "DRKS00021208"},
        ValidCase{"TCTR20200318002", common::v1::REGISTRY_TCTR, "TCTR20200318002"},
        ValidCase{"PACTR202003847158467", common::v1::REGISTRY_PACTR, "PACTR202003847158467"},
        ValidCase{"LBCTR2020033401", common::v1::REGISTRY_LBCTR, "LBCTR2020033401"},
        ValidCase{"RPCEC00000300", common::v1::REGISTRY_RPCEC, "RPCEC00000300"},
        ValidCase{"JapicCTI-205238", common::v1::REGISTRY_JAPIC, "JapicCTI-205238"},
        ValidCase{"japiccti-205238", common::v1::REGISTRY_JAPIC, "JapicCTI-205238"},
        ValidCase{"RBR-6w2vk5", common::v1::REGISTRY_REBEC, "RBR-6w2vk5"},
        ValidCase{"RBR-10XXWM2Z", common::v1::REGISTRY_REBEC, "RBR-10xxwm2z"},
        // EUCTR + EudraCT number + the country of the national record.
        ValidCase{"EUCTR2015-001234-56-GB", common::v1::REGISTRY_EUDRACT, "2015-001234-56"},
        ValidCase{"EUCTR2020-000890-25-Outside-EU/EEA", common::v1::REGISTRY_EUDRACT,
                  "2020-000890-25"},
        ValidCase{"EUCTR2015-001234-56", common::v1::REGISTRY_EUDRACT, "2015-001234-56"},
        ValidCase{"EUCTR2023-501234-12-00", common::v1::REGISTRY_CTIS, "2023-501234-12-00"},
        ValidCase{"CTIS2023-501234-12-00", common::v1::REGISTRY_CTIS, "2023-501234-12-00"},
        // JPRN- + a Japanese registry's own ID.
        ValidCase{"JPRN-UMIN000012345", common::v1::REGISTRY_UMIN, "UMIN000012345"},
        ValidCase{"JPRN-jRCT2031190228", common::v1::REGISTRY_JRCT, "jRCT2031190228"},
        ValidCase{"JPRN-JapicCTI-121234", common::v1::REGISTRY_JAPIC, "JapicCTI-121234"},
        ValidCase{"JPRN-JMA-IIA00123", common::v1::REGISTRY_JMA_IIA, "JMA-IIA00123"},
        // Already covered above, here as ICTRP prints them.
        ValidCase{"ChiCTR2000029953", common::v1::REGISTRY_CHICTR, "ChiCTR2000029953"},
        ValidCase{"ACTRN12620000445976", common::v1::REGISTRY_ACTRN, "ACTRN12620000445976"},
        ValidCase{"CTRI/2020/03/023803", common::v1::REGISTRY_CTRI, "CTRI/2020/03/023803"},
        ValidCase{"IRCT20200310046736N1", common::v1::REGISTRY_IRCT, "IRCT20200310046736N1"},
        ValidCase{"ISRCTN83971151", common::v1::REGISTRY_ISRCTN, "ISRCTN83971151"},
        ValidCase{"KCT0005103", common::v1::REGISTRY_KCT, "KCT0005103"},
        ValidCase{"NCT04246242", common::v1::REGISTRY_NCT, "NCT04246242"}));

INSTANTIATE_TEST_SUITE_P(
    MalformedIctrpForms, InvalidRegistryIdTest,
    ::testing::Values(
        InvalidCase{"NTR123456", "NTR IDs have 1 to 5 digits after \"NTR\"; \"NTR123456\" has 6"},
        InvalidCase{"NL-OMON", "NL-OMON IDs have 1 to 8 digits"},
        InvalidCase{"DRKS0002120", "DRKS IDs have 8 digits after \"DRKS\"; \"DRKS0002120\" has 7"},
        InvalidCase{"TCTR2020031800", "TCTR IDs have 11 digits"},
        InvalidCase{"PACTR20200384715846", "PACTR IDs have 15 digits"},
        InvalidCase{"JapicCTI-12345", "JapicCTI IDs have 6 digits"},
        InvalidCase{"RBR-6w2", "ReBEC IDs have 6 to 10 letters and digits"},
        InvalidCase{"RBR-6w2_k5", "has '_' at position 8"},
        InvalidCase{"EUCTR2015-001234", "EUCTR IDs are \"EUCTR\" and a EudraCT number"},
        InvalidCase{"EUCTR2015-001234-56-G8", "EUCTR IDs end with the letters of a country"},
        InvalidCase{"EUCTR2015-00123-56-GB", "have a 6-digit serial"},
        InvalidCase{"CTIS2015-001234-56", "after \"CTIS\" comes a CTIS number"},
        InvalidCase{"CTIS", "ends after \"CTIS\""},
        InvalidCase{"JPRN-NCT04246242", "after \"JPRN-\" comes a Japanese registry's ID"},
        InvalidCase{"JPRN-", "ends after \"JPRN-\""},
        InvalidCase{"JPRN-UMIN00001234", "UMIN IDs have 9 digits"}));

TEST(ParseRegistryIdTest, MessageStartsWithField) {
  absl::StatusOr<RegistryId> id = ParseRegistryId("NCT0507867", "trial.primary_id");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(id.status()),
            "trial.primary_id: NCT IDs have 8 digits after \"NCT\"; \"NCT0507867\" has 7");

  id = ParseRegistryId("", "trial.primary_id");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(Message(id.status()), "trial.primary_id: required");
}

TEST(ParseRegistryIdTest, DocumentedExampleMessage) {
  absl::StatusOr<RegistryId> id = ParseRegistryId("NCT0507867");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(Message(id.status()),
            "registry_id: NCT IDs have 8 digits after \"NCT\"; \"NCT0507867\" has 7");
}

TEST(ParseRegistryIdTest, FullWidthInputIsQuotedInNormalisedForm) {
  absl::StatusOr<RegistryId> id = ParseRegistryId("ＮＣＴ０５０７８６７");
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(Message(id.status()), HasSubstr("\"NCT0507867\" has 7"));
}

TEST(ParseRegistryIdTest, RejectsOverlongInput) {
  absl::StatusOr<RegistryId> id = ParseRegistryId(std::string(200, '1'));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(id.status()), HasSubstr("too long (200 characters)"));
}

TEST(ParseRegistryIdTest, DistinguishesCtrFamily) {
  absl::StatusOr<RegistryId> ctr = ParseRegistryId("CTR20253094");
  absl::StatusOr<RegistryId> ctri = ParseRegistryId("CTRI/2019/01/017123");
  absl::StatusOr<RegistryId> chictr = ParseRegistryId("ChiCTR2000031319");
  ASSERT_TRUE(ctr.ok() && ctri.ok() && chictr.ok());
  EXPECT_EQ(ctr->registry(), common::v1::REGISTRY_CTR);
  EXPECT_EQ(ctri->registry(), common::v1::REGISTRY_CTRI);
  EXPECT_EQ(chictr->registry(), common::v1::REGISTRY_CHICTR);
}

TEST(TrialIdForTest, LowerCasesAndReplacesSeparators) {
  const auto trial_id = [](const char* text) {
    absl::StatusOr<RegistryId> id = ParseRegistryId(text);
    EXPECT_TRUE(id.ok()) << text << ": " << id.status();
    return id.ok() ? TrialIdFor(*id) : std::string();
  };
  EXPECT_EQ(trial_id("CTRI/2019/01/017123"), "ctri-2019-01-017123");
  EXPECT_EQ(trial_id("NCT05068674"), "nct05068674");
  EXPECT_EQ(trial_id("jRCTa031190228"), "jrcta031190228");
  EXPECT_EQ(trial_id("jRCT2090220384"), "jrct2090220384");
  EXPECT_EQ(trial_id("ChiCTR-IOR-17011234"), "chictr-ior-17011234");
  EXPECT_EQ(trial_id("ChiCTR2000031319"), "chictr2000031319");
  EXPECT_EQ(trial_id("IRCT20190101012345N1"), "irct20190101012345n1");
  EXPECT_EQ(trial_id("JMA-IIA00123"), "jma-iia00123");
  EXPECT_EQ(trial_id("2023-501234-12-00"), "2023-501234-12-00");
  EXPECT_EQ(trial_id("ＣＸＳＬ２２００１９４"), "cxsl2200194");
}

TEST(TrialIdForTest, ReplacesAnyOtherCharacter) {
  RegistryId id;
  id.set_id("A.b_C/1 2");
  EXPECT_EQ(TrialIdFor(id), "a-b-c-1-2");
  id.set_id("");
  EXPECT_EQ(TrialIdFor(id), "");
}

TEST(RegistryNameTest, NamesEveryRegistry) {
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_NCT), "ClinicalTrials.gov");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_JRCT), "jRCT");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_CHICTR), "ChiCTR");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_EUDRACT), "EudraCT");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_CTRI), "CTRI");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_NTR), "NTR");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_DRKS), "DRKS");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_TCTR), "TCTR");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_REBEC), "ReBEC");
  EXPECT_EQ(RegistryName(common::v1::REGISTRY_UNSPECIFIED), "");
  EXPECT_EQ(RegistryName(static_cast<Registry>(999)), "");
  for (int r = common::v1::Registry_MIN + 1; r <= common::v1::Registry_MAX; ++r) {
    ASSERT_TRUE(common::v1::Registry_IsValid(r));
    EXPECT_FALSE(RegistryName(static_cast<Registry>(r)).empty()) << r;
  }
}

}  // namespace
}  // namespace regenatlas::catalog
