// The WHO ICTRP XML reader (services/catalog/ictrp_xml.h) over the real
// export in tests/fixtures/ictrp/ and small inline documents: every record,
// exact values of chosen trials, dates at their precision, per-record
// errors, truncated and broken files, and flat memory on a large file.

#include "services/catalog/ictrp_xml.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/catalog/registry_test_util.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::Find;
using testing_util::Fixture;
using testing_util::ReadAll;
using testing_util::ReadFile;
using testing_util::ReadResult;

constexpr char kFile[] = "ictrp/ictrp_subset.xml";

ReadResult ReadXml(const std::string& xml, size_t chunk_size = 1 << 16,
                   IctrpXmlOptions options = {}) {
  std::unique_ptr<RegistryReader> reader =
      NewIctrpXmlReader(MemorySource(xml, chunk_size), "t.xml", options);
  return ReadAll(*reader);
}

ReadResult ReadFixture() {
  absl::StatusOr<std::unique_ptr<ByteSource>> source = OpenFileSource(Fixture(kFile));
  EXPECT_TRUE(source.ok()) << source.status();
  std::unique_ptr<RegistryReader> reader = NewIctrpXmlReader(*std::move(source), kFile);
  return ReadAll(*reader);
}

std::string Trial(const std::string& fields) { return "<Trial>" + fields + "</Trial>"; }

std::string Doc(const std::string& trials) {
  return "<?xml version='1.0' encoding='UTF-8' ?><Trials_downloaded_from_ICTRP>" + trials +
         "</Trials_downloaded_from_ICTRP>";
}

TEST(IctrpXmlFixtureTest, ReadsEveryTrial) {
  const ReadResult result = ReadFixture();
  EXPECT_TRUE(result.errors.empty()) << result.errors[0].Describe();
  ASSERT_EQ(result.records.size(), 110u);
  int chictr = 0, nct = 0;
  for (size_t i = 0; i < result.records.size(); ++i) {
    const RegistryRecord& r = result.records[i];
    EXPECT_EQ(r.location.index, static_cast<int64_t>(i) + 1);
    EXPECT_EQ(r.location.file, kFile);
    EXPECT_EQ(r.format, RegistryFileFormat::kIctrpXml);
    EXPECT_FALSE(r.public_title.empty()) << r.primary_id.printed;
    EXPECT_EQ(r.source_registry, r.primary_id.id.registry());
    // Every record of this export has a registration date to the day.
    EXPECT_EQ(r.registration_date.date.day() > 0, true) << r.primary_id.printed;
    if (r.source_registry == common::v1::REGISTRY_CHICTR) {
      ++chictr;
      EXPECT_EQ(r.source_register, "ChiCTR");
    } else if (r.source_registry == common::v1::REGISTRY_NCT) {
      ++nct;
      EXPECT_EQ(r.source_register, "ClinicalTrials.gov");
    }
  }
  EXPECT_EQ(chictr, 51);
  EXPECT_EQ(nct, 59);
  EXPECT_EQ(result.records[0].location.line, 2);
  EXPECT_EQ(result.records[12].location.line, 525);
}

TEST(IctrpXmlFixtureTest, ClinicalTrialsGovRecordOfTheExport) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* r = Find(result, "NCT00523276");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->location.index, 13);
  EXPECT_EQ(r->location.Describe(), "ictrp/ictrp_subset.xml: Trial #13 (line 525)");
  EXPECT_EQ(r->primary_id.id.id(), "NCT00523276");
  EXPECT_EQ(r->public_title, "SARS Survivor Evaluations");
  EXPECT_EQ(r->scientific_title,
            "Immune Responses, Transmission and Nucleotide Polymorphisms in Families With SARS "
            "Virus Infections");
  EXPECT_EQ(r->primary_sponsor, "National Institute of Allergy and Infectious Diseases (NIAID)");
  // Day first, as ICTRP prints it, and cross-checked with Date_registration3.
  EXPECT_EQ(r->registration_date.printed, "30/08/2007");
  EXPECT_EQ(FormatPartialDate(r->registration_date.date), "2007-08-30");
  EXPECT_EQ(PrecisionOf(r->registration_date.date), common::v1::DATE_PRECISION_DAY);
  EXPECT_EQ(r->start_date.printed, "January 1996");
  EXPECT_EQ(FormatPartialDate(r->start_date.date), "1996-01");
  EXPECT_EQ(PrecisionOf(r->start_date.date), common::v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(r->status.printed, "Not recruiting");
  EXPECT_EQ(r->status.status, v1::TRIAL_STATUS_UNSPECIFIED);
  EXPECT_TRUE(r->status.known);
  EXPECT_EQ(r->phase.printed, "N/A");
  EXPECT_TRUE(r->phase.known);
  EXPECT_EQ(r->phase.stage, common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  ASSERT_EQ(r->countries.size(), 1u);
  EXPECT_EQ(r->countries[0].code, "CN");
  EXPECT_THAT(r->conditions, ElementsAre("Coronavirus (SARS-CoV)"));
  EXPECT_EQ(r->target_size, 0);
  EXPECT_EQ(r->url, "http://clinicaltrials.gov/show/NCT00523276");
  EXPECT_EQ(r->other_records, "No");
  EXPECT_FALSE(r->bridged);
  EXPECT_EQ(r->bridged_type, "");
  EXPECT_TRUE(r->notes.empty()) << r->notes[0].message;
}

TEST(IctrpXmlFixtureTest, DrugTrialWithTypedInterventionsAndPhase4) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* r = Find(result, "NCT04246242");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(FormatPartialDate(r->registration_date.date), "2020-01-27");
  EXPECT_EQ(r->start_date.printed, "January 25, 2020");
  EXPECT_EQ(FormatPartialDate(r->start_date.date), "2020-01-25");
  EXPECT_EQ(r->phase.printed, "Phase 4");
  EXPECT_TRUE(r->phase.known);
  EXPECT_EQ(r->phase.stage, common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_EQ(r->target_size, 500);
  ASSERT_EQ(r->interventions.size(), 3u);
  EXPECT_EQ(r->interventions[1].type, "Drug");
  EXPECT_EQ(r->interventions[1].name, "arbidol,200mg,tid");
  EXPECT_TRUE(r->countries.empty());
}

TEST(IctrpXmlFixtureTest, ChiCtrStemCellTrial) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* r = Find(result, "ChiCTR2000029990");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->location.index, 66);
  EXPECT_EQ(r->location.line, 3646);
  EXPECT_EQ(r->source_registry, common::v1::REGISTRY_CHICTR);
  EXPECT_EQ(r->registration_date.printed, "2020-02-18");
  EXPECT_EQ(FormatPartialDate(r->start_date.date), "2020-01-30");
  EXPECT_EQ(r->status.status, v1::TRIAL_STATUS_RECRUITING);
  EXPECT_EQ(r->phase.printed, "1-2");
  EXPECT_EQ(r->phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(r->target_size_printed, "experimental group:60;control group:60;");
  EXPECT_EQ(r->target_size, 120);
  ASSERT_EQ(r->interventions.size(), 2u);
  EXPECT_EQ(r->interventions[0].name, "experimental group:mesenchymal stem cells");
  EXPECT_EQ(r->interventions[0].type, "");
  EXPECT_EQ(r->url, "http://www.chictr.org.cn/showproj.aspx?proj=49674");
  // The export pads scientific titles with spaces; none survive.
  EXPECT_NE(r->scientific_title.back(), ' ');
}

TEST(IctrpXmlFixtureTest, PhasesAsPrintedAndNormalised) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* early = Find(result, "NCT04302519");
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(early->phase.stage, common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1);
  EXPECT_EQ(early->interventions[0].type, "Biological");
  const RegistryRecord* p23 = Find(result, "NCT04261426");
  ASSERT_NE(p23, nullptr);
  EXPECT_EQ(p23->phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_2_3);
  const RegistryRecord* retro = Find(result, "ChiCTR2000029949");
  ASSERT_NE(retro, nullptr);
  EXPECT_EQ(retro->phase.printed, "Retrospective study");
  EXPECT_TRUE(retro->phase.known);
  EXPECT_EQ(retro->target_size, 40);
  // ChiCTR's bare "0" is kept as printed and reported.
  const RegistryRecord* zero = Find(result, "ChiCTR2000029850");
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(zero->phase.printed, "0");
  EXPECT_FALSE(zero->phase.known);
  ASSERT_EQ(zero->notes.size(), 1u);
  EXPECT_EQ(zero->notes[0].field, "Phase");
}

TEST(IctrpXmlFixtureTest, CountriesMappedRepeatsDroppedUnknownReported) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* actt = Find(result, "NCT04280705");
  ASSERT_NE(actt, nullptr);
  ASSERT_EQ(actt->countries.size(), 2u);
  EXPECT_EQ(actt->countries[0].code, "US");
  EXPECT_EQ(actt->countries[1].printed, "Korea, Republic of");
  EXPECT_EQ(actt->countries[1].code, "KR");
  const RegistryRecord* hk = Find(result, "NCT04285801");
  ASSERT_NE(hk, nullptr);
  EXPECT_EQ(hk->countries[0].code, "HK");
  const RegistryRecord* typo = Find(result, "ChiCTR2000030859");
  ASSERT_NE(typo, nullptr);
  ASSERT_EQ(typo->countries.size(), 1u);
  EXPECT_EQ(typo->countries[0].printed, "Chian");
  EXPECT_EQ(typo->countries[0].code, "");
  ASSERT_EQ(typo->notes.size(), 1u);
  EXPECT_EQ(typo->notes[0].field, "Countries");
  EXPECT_THAT(typo->notes[0].message, HasSubstr("Chian"));
  EXPECT_EQ(typo->target_size, 1305);
}

TEST(IctrpXmlFixtureTest, SameRecordsWhateverTheChunkSize) {
  const std::string xml = ReadFile(Fixture(kFile));
  const ReadResult big = ReadXml(xml);
  const ReadResult small = ReadXml(xml, 7);
  ASSERT_EQ(big.records.size(), small.records.size());
  for (size_t i = 0; i < big.records.size(); ++i) {
    EXPECT_EQ(big.records[i].scientific_title, small.records[i].scientific_title);
    EXPECT_EQ(big.records[i].location.line, small.records[i].location.line);
  }
}

TEST(IctrpXmlTest, BadDateIsAPerRecordErrorAndReadingGoesOn) {
  const ReadResult result =
      ReadXml(Doc(Trial("<TrialID>NCT04246242</TrialID><Date_registration>2020-02-30"
                        "</Date_registration>") +
                  "\n" + Trial("<TrialID>ChiCTR2000029953</TrialID>")));
  EXPECT_EQ(result.order, "er");
  ASSERT_EQ(result.errors.size(), 1u);
  const RecordError& e = result.errors[0];
  EXPECT_EQ(e.location.index, 1);
  EXPECT_EQ(e.field, "Date_registration");
  EXPECT_EQ(e.primary_id, "NCT04246242");
  EXPECT_FALSE(e.fatal);
  EXPECT_THAT(e.Describe(), HasSubstr("t.xml: Trial #1 (line 1) NCT04246242, field "
                                      "Date_registration: \"2020-02-30\" is not a date"));
  EXPECT_EQ(result.records[0].location.index, 2);
  EXPECT_EQ(result.records[0].location.line, 2);
}

TEST(IctrpXmlTest, MissingOrUnrecognisedTrialIdIsAnError) {
  const ReadResult result =
      ReadXml(Doc(Trial("<Public_title>x</Public_title>") + Trial("<TrialID>XYZ-1</TrialID>") +
                  Trial("<TrialID>  </TrialID>")));
  ASSERT_EQ(result.errors.size(), 3u);
  EXPECT_EQ(result.errors[0].field, "TrialID");
  EXPECT_THAT(result.errors[0].message, HasSubstr("missing"));
  EXPECT_THAT(result.errors[1].message, HasSubstr("not a recognised registry ID"));
  EXPECT_EQ(result.errors[1].primary_id, "XYZ-1");
  EXPECT_THAT(result.errors[2].message, HasSubstr("empty"));
}

TEST(IctrpXmlTest, IctrpIdFormsAndSecondaryIds) {
  const ReadResult result =
      ReadXml(Doc(Trial("<TrialID>EUCTR2020-001234-56-GB</TrialID>"
                        "<Secondary_IDs>NCT04246242; 2020-001234-56; PROTO-7</Secondary_IDs>"
                        "<Bridging_flag_truefalse>True</Bridging_flag_truefalse>"
                        "<Bridged_type>Child</Bridged_type><other_records>Yes</other_records>") +
                  Trial("<TrialID>JPRN-UMIN000012345</TrialID><Phase>II期</Phase>")));
  ASSERT_EQ(result.records.size(), 2u) << result.errors[0].Describe();
  const RegistryRecord& eu = result.records[0];
  EXPECT_EQ(eu.primary_id.printed, "EUCTR2020-001234-56-GB");
  EXPECT_EQ(eu.primary_id.id.id(), "2020-001234-56");
  EXPECT_EQ(eu.source_registry, common::v1::REGISTRY_EUDRACT);
  // The trial's own number among its secondary IDs is not repeated.
  ASSERT_EQ(eu.secondary_ids.size(), 2u);
  EXPECT_EQ(eu.secondary_ids[0].id.registry(), common::v1::REGISTRY_NCT);
  EXPECT_EQ(eu.secondary_ids[1].printed, "PROTO-7");
  EXPECT_EQ(eu.secondary_ids[1].id.registry(), common::v1::REGISTRY_UNSPECIFIED);
  EXPECT_TRUE(eu.bridged);
  EXPECT_EQ(eu.bridged_type, "Child");
  EXPECT_EQ(eu.other_records, "Yes");
  EXPECT_EQ(result.records[1].source_registry, common::v1::REGISTRY_UMIN);
  EXPECT_EQ(result.records[1].phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_2);
}

TEST(IctrpXmlTest, EntitiesCdataAndNestedMarkupAreText) {
  const ReadResult result =
      ReadXml(Doc(Trial("<TrialID>NCT04246242</TrialID><Public_title>A &lt;B&gt; &amp; "
                        "<![CDATA[C & D]]> <i>E</i>&#x4E2D;</Public_title>")));
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].public_title, "A <B> & C & D E\xE4\xB8\xAD");
}

TEST(IctrpXmlTest, TruncatedFileEndsWithAFatalErrorNamingTheTrial) {
  const std::string xml = ReadFile(Fixture(kFile));
  // Cut inside the fifth trial's title.
  const size_t fifth = xml.find("<Trial>", xml.find("<TrialID>ChiCTR2000029850"));
  const size_t cut = xml.find("<Public_title>", fifth) + 20;
  const ReadResult result = ReadXml(xml.substr(0, cut));
  EXPECT_EQ(result.order, "rrrre");
  const RecordError& e = result.errors.back();
  EXPECT_TRUE(e.fatal);
  EXPECT_EQ(e.location.index, 5);
  EXPECT_EQ(e.field, "Public_title");
  EXPECT_FALSE(e.primary_id.empty());
  EXPECT_THAT(e.message, HasSubstr("ends too early"));
}

TEST(IctrpXmlTest, EveryTruncationIsAnErrorNotACrash) {
  const std::string xml = ReadFile(Fixture(kFile));
  for (size_t cut = 0; cut < xml.size(); cut += xml.size() / 97 + 1) {
    const ReadResult result = ReadXml(xml.substr(0, cut));
    ASSERT_FALSE(result.errors.empty()) << cut;
    EXPECT_TRUE(result.errors.back().fatal) << cut;
    EXPECT_EQ(result.order.back(), 'e') << cut;
    EXPECT_LE(result.records.size(), 110u);
  }
}

TEST(IctrpXmlTest, BrokenMarkupAndOtherDocuments) {
  ReadResult result = ReadXml(
      Doc(Trial("<TrialID>NCT04246242</TrialID>") + "<Trial><TrialID>NCT1</Phase></Trial>"));
  EXPECT_EQ(result.order, "re");
  EXPECT_THAT(result.errors[0].message, HasSubstr("mismatched tag"));
  EXPECT_EQ(result.errors[0].location.index, 2);

  result = ReadXml("");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_TRUE(result.errors[0].fatal);

  result = ReadXml("<feed><entry/></feed>");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("not a WHO ICTRP export"));

  // An export with no trials is read as such.
  result = ReadXml("<Trials_downloaded_from_ICTRP/>");
  EXPECT_EQ(result.order, "");

  result = ReadXml("<!DOCTYPE t [<!ENTITY a \"aaaa\">]>" + Doc(""));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].message, HasSubstr("DTD"));

  result = ReadXml(Doc(Trial("<TrialID>NCT04246242</TrialID>")) + "<junk/>");
  EXPECT_EQ(result.order, "re");
}

TEST(IctrpXmlTest, OversizedTrialIsFatal) {
  IctrpXmlOptions options;
  options.max_record_bytes = 1000;
  const ReadResult result = ReadXml(Doc(Trial("<TrialID>NCT04246242</TrialID><Inclusion_Criteria>" +
                                              std::string(5000, 'x') + "</Inclusion_Criteria>") +
                                        Trial("<TrialID>NCT04246243</TrialID>")),
                                    1 << 16, options);
  EXPECT_EQ(result.order, "e");
  EXPECT_THAT(result.errors[0].message, HasSubstr("more than 1000 bytes"));
  EXPECT_EQ(result.errors[0].primary_id, "NCT04246242");
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(IctrpXmlTest, MemoryStaysFlatOnALargeFile) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers' allocators keep freed memory (ASan's quarantine) and
  // shadow memory, so the peak RSS says nothing about the reader there; the
  // normal build checks it.
  GTEST_SKIP() << "peak RSS is not meaningful under a sanitizer";
#endif
  // ~60 MB of real trials: a reader that held the file or its records would
  // raise the peak by about that much.
  const std::string xml = ReadFile(Fixture(kFile));
  const size_t begin = xml.find("<Trial>");
  const size_t end = xml.rfind("</Trials_downloaded_from_ICTRP>");
  const std::string trials = xml.substr(begin, end - begin);
  const std::string path = ::testing::TempDir() + "/ictrp_large.xml";
  constexpr int kCopies = 120;
  {
    std::ofstream out(path, std::ios::binary);
    out << xml.substr(0, begin);
    for (int i = 0; i < kCopies; ++i) out << trials;
    out << "</Trials_downloaded_from_ICTRP>";
  }
  const long before = PeakRssKb();
  absl::StatusOr<std::unique_ptr<ByteSource>> source = OpenFileSource(path);
  ASSERT_TRUE(source.ok());
  std::unique_ptr<RegistryReader> reader = NewIctrpXmlReader(*std::move(source), path);
  int64_t records = 0;
  while (std::optional<RegistryItem> item = reader->Next()) {
    ASSERT_TRUE(std::holds_alternative<RegistryRecord>(*item));
    ++records;
  }
  EXPECT_EQ(records, 110 * kCopies);
  EXPECT_GT(reader->bytes_read(), 50'000'000);
  EXPECT_LT(PeakRssKb() - before, 16 * 1024)
      << "peak RSS grew by " << PeakRssKb() - before << " KiB";
  std::remove(path.c_str());
}

}  // namespace
}  // namespace regenatlas::catalog
