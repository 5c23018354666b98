// Imported trials classified into the cell-therapy taxonomy: the WHO ICTRP
// and ClinicalTrials.gov fixtures through the importer with
// data/classification/rules.json, checked against the labels of
// tests/fixtures/classification/labels.tsv; the classification's values,
// evidence and provenance; counts and filters over it (the "adipose-MSC
// trials started in China per year" question, from Chinese registry text);
// a curator's classification kept by imports; validation; the CLI flag.

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cmd/regenatlas/import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/classification.h"
#include "services/catalog/ctgov_import.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::string kRoot = REGENATLAS_SOURCE_DIR "/tests/fixtures/";
const std::string kRules = REGENATLAS_SOURCE_DIR "/data/classification/rules.json";
const std::string kIctrpXml = kRoot + "ictrp/ictrp_subset.xml";
const std::string kCtgovCsv = kRoot + "ctgov-csv/ctg-studies_sample40.csv";

// Four ChiCTR records as the ICTRP export prints a registry's Chinese text:
// adipose MSCs in 2019 and 2020, umbilical-cord MSCs in 2020, and a drug.
constexpr char kChineseRecords[] = R"(<?xml version='1.0' encoding='UTF-8' ?>
<Trials_downloaded_from_ICTRP>
  <Trial>
    <TrialID>ChiCTR1900020001</TrialID>
    <Public_title>人脂肪间充质干细胞治疗膝骨关节炎的临床研究</Public_title>
    <Source_Register>ChiCTR</Source_Register>
    <Date_enrollement>2019-03-01</Date_enrollement>
    <Countries>China</Countries>
    <Intervention>试验组:自体脂肪间充质干细胞关节腔注射;对照组:玻璃酸钠</Intervention>
  </Trial>
  <Trial>
    <TrialID>ChiCTR2000020002</TrialID>
    <Public_title>脂肪来源间充质干细胞治疗糖尿病足溃疡</Public_title>
    <Source_Register>ChiCTR</Source_Register>
    <Date_enrollement>2020-06-15</Date_enrollement>
    <Countries>China</Countries>
    <Intervention>脂肪间充质干细胞</Intervention>
  </Trial>
  <Trial>
    <TrialID>ChiCTR2000020003</TrialID>
    <Public_title>人脐带间充质干细胞治疗重症肺炎</Public_title>
    <Source_Register>ChiCTR</Source_Register>
    <Date_enrollement>2020-02-01</Date_enrollement>
    <Countries>China</Countries>
    <Intervention>脐带间充质干细胞静脉输注</Intervention>
  </Trial>
  <Trial>
    <TrialID>ChiCTR2000020004</TrialID>
    <Public_title>阿比多尔治疗新型冠状病毒肺炎</Public_title>
    <Source_Register>ChiCTR</Source_Register>
    <Date_enrollement>2020-02-01</Date_enrollement>
    <Countries>China</Countries>
    <Intervention>阿比多尔片</Intervention>
  </Trial>
</Trials_downloaded_from_ICTRP>
)";

// The labels of tests/fixtures/classification/labels.tsv: id → is a cell therapy.
std::map<std::string, bool> CellTherapyLabels() {
  std::map<std::string, bool> out;
  std::ifstream in(kRoot + "classification/labels.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() >= 3) out[f[0]] = f[2] == "yes";
  }
  return out;
}

class TrialClassificationTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(/*with_rules=*/true); }

  void Open(bool with_rules) {
    catalog_.reset();
    store_.reset();
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    CatalogOptions co;
    if (with_rules) {
      absl::StatusOr<classification::Classifier> rules =
          classification::Classifier::FromFile(kRules);
      ASSERT_TRUE(rules.ok()) << rules.status();
      co.trial_classifier = std::make_shared<const classification::Classifier>(*rules);
    }
    catalog_ = std::make_unique<Catalog>(store_.get(), co);
  }

  v1::ImportClinicalTrialsResponse Import(const std::string& path) {
    CtgovImportOptions options;
    options.sync_writes = false;
    auto importer = CtgovImporter::Create(catalog_.get(), options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    absl::Status s = (*importer)->ImportFile(path);
    EXPECT_TRUE(s.ok()) << s;
    return (*importer)->summary();
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  Trial Get(const std::string& id) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    EXPECT_TRUE(t.ok()) << id << ": " << t.status();
    return t.ok() ? *t : Trial();
  }

  // Primary IDs of the trials matching `filter`.
  std::set<std::string> Matching(const std::string& filter) {
    ListQuery q;
    q.filter = filter;
    q.page_size = 1000;
    absl::StatusOr<ListResult<Trial>> r = catalog_->ListTrials(q);
    EXPECT_TRUE(r.ok()) << filter << ": " << r.status();
    std::set<std::string> out;
    if (r.ok()) {
      for (const Trial& t : r->items) out.insert(t.primary_id().id());
    }
    return out;
  }

  // "key|key=count" rows of CountTrials.
  std::vector<std::string> Count(const std::string& filter, std::vector<std::string> dims) {
    google::protobuf::RepeatedPtrField<std::string> group_by(dims.begin(), dims.end());
    absl::StatusOr<v1::CountResponse> r = catalog_->CountTrials(filter, group_by, "dimensions");
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& row : r->rows()) {
        out.push_back(absl::StrCat(absl::StrJoin(row.keys(), "|"), "=", row.count()));
      }
    }
    return out;
  }

  regenatlas::testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(TrialClassificationTest, IctrpTrialsAreClassifiedAsTheLabelsSay) {
  v1::ImportClinicalTrialsResponse summary = Import(kIctrpXml);
  EXPECT_EQ(summary.created(), 110);
  const std::set<std::string> positive = Matching("cell_therapy = true");
  // Every trial the rules read got a classification.
  EXPECT_EQ(positive.size() + Matching("cell_therapy = false").size(), 110u);
  EXPECT_EQ(summary.cell_therapy(), static_cast<int>(positive.size()));
  std::set<std::string> labelled_positive;
  for (const auto& [id, yes] : CellTherapyLabels()) {
    if (yes && catalog_->GetTrial(id).ok()) labelled_positive.insert(id);
  }
  ASSERT_EQ(labelled_positive.size(), 11u);
  // The rules agree with the reader on every record of the subset.
  EXPECT_EQ(positive, labelled_positive);
}

TEST_F(TrialClassificationTest, ValuesEvidenceAndProvenance) {
  Import(kIctrpXml);
  const Trial t = Get("NCT04273646");
  const v1::TrialClassification& c = t.classification();
  EXPECT_EQ(c.origin(), v1::TrialClassification::ORIGIN_DERIVED);
  EXPECT_TRUE(c.cell_therapy());
  EXPECT_THAT(c.cell_types(), ElementsAre(v1::CELL_TYPE_MSC));
  EXPECT_THAT(c.cell_sources(), ElementsAre(v1::CELL_SOURCE_MSC_UMBILICAL_CORD));
  EXPECT_THAT(c.tissues(), ElementsAre("UMBILICAL_CORD"));
  EXPECT_EQ(c.donor(), common::v1::DONOR_ALLOGENEIC);
  ASSERT_TRUE(c.has_gene_modified());
  EXPECT_FALSE(c.gene_modified());
  // The record the text came from is one of the trial's sources.
  ASSERT_FALSE(c.source().empty());
  EXPECT_EQ(t.sources(0).source(), c.source());
  std::set<std::string> attributes;
  for (const v1::ClassificationEvidence& e : c.evidence()) {
    attributes.insert(e.attribute());
    EXPECT_FALSE(e.rule().empty());
    if (absl::StartsWith(e.rule(), "defaults.")) {
      EXPECT_EQ(e.field(), "");
    } else {
      EXPECT_FALSE(e.text().empty()) << e.rule();
      EXPECT_FALSE(e.field().empty()) << e.rule();
    }
  }
  EXPECT_TRUE(attributes.count("cell_type"));
  EXPECT_TRUE(attributes.count("tissue"));
  EXPECT_TRUE(attributes.count("gene_modified"));

  // Not a cell therapy: examined, nothing about cells.
  const v1::TrialClassification drug = Get("ChiCTR2000029953").classification();
  EXPECT_EQ(drug.origin(), v1::TrialClassification::ORIGIN_DERIVED);
  EXPECT_FALSE(drug.cell_therapy());
  EXPECT_EQ(drug.cell_types_size(), 0);
  EXPECT_FALSE(drug.has_gene_modified());
}

TEST_F(TrialClassificationTest, CountsAndFiltersUseTheClassification) {
  Import(kCtgovCsv);
  // NCT02087397 ("AD-SVF Cell Injection", Florida, 2014-03).
  EXPECT_THAT(Count("cell_source = MSC_ADIPOSE", {"start_year"}), ElementsAre("2014=1"));
  EXPECT_THAT(Count("cell_source = MSC_ADIPOSE AND country = US", {"donor"}),
              ElementsAre("AUTOLOGOUS=1"));
  EXPECT_THAT(Matching("cell_type = MSC"),
              UnorderedElementsAre("NCT06550752", "NCT04424394", "NCT02087397", "NCT02945462"));
  EXPECT_THAT(Count("", {"cell_therapy"}), ElementsAre("false=36", "true=4"));
  EXPECT_THAT(Count("cell_therapy = true", {"cell_source"}),
              UnorderedElementsAre("MSC_ADIPOSE=1", "MSC_BONE_MARROW=1", "MSC_UMBILICAL_CORD=2"));
}

TEST_F(TrialClassificationTest, ChineseTextAnswersAdiposeMscTrialsInChinaPerYear) {
  Import(Write("chinese.xml", kChineseRecords));
  EXPECT_THAT(Count("cell_source = MSC_ADIPOSE AND country = CN", {"start_year"}),
              ElementsAre("2019=1", "2020=1"));
  EXPECT_THAT(Count("country = CN AND cell_type = MSC", {"cell_source", "start_year"}),
              UnorderedElementsAre("MSC_ADIPOSE|2019=1", "MSC_ADIPOSE|2020=1",
                                   "MSC_UMBILICAL_CORD|2020=1"));
  EXPECT_EQ(Get("ChiCTR1900020001").classification().donor(), common::v1::DONOR_AUTOLOGOUS);
  EXPECT_FALSE(Get("ChiCTR2000020004").classification().cell_therapy());
}

TEST_F(TrialClassificationTest, ReimportChangesNothingAndKeepsACuratorsClassification) {
  const std::string file = Write("chinese.xml", kChineseRecords);
  Import(file);
  v1::ImportClinicalTrialsResponse again = Import(file);
  EXPECT_EQ(again.unchanged(), 4);
  EXPECT_EQ(again.cell_therapy(), 3);

  // A curator says the drug trial's comparator arm is a cell product.
  Trial t = Get("ChiCTR2000020004");
  v1::TrialClassification* c = t.mutable_classification();
  c->Clear();
  c->set_origin(v1::TrialClassification::ORIGIN_CURATED);
  c->set_cell_therapy(true);
  c->add_cell_types(v1::CELL_TYPE_NK);
  ASSERT_TRUE(catalog_->trials().Update(t, {}, "test").ok());
  Import(file);
  const v1::TrialClassification kept = Get("ChiCTR2000020004").classification();
  EXPECT_EQ(kept.origin(), v1::TrialClassification::ORIGIN_CURATED);
  EXPECT_THAT(kept.cell_types(), ElementsAre(v1::CELL_TYPE_NK));
  EXPECT_THAT(Matching("cell_type = NK"), ElementsAre("ChiCTR2000020004"));
}

TEST_F(TrialClassificationTest, WithoutRulesNothingIsClassified) {
  Open(/*with_rules=*/false);
  v1::ImportClinicalTrialsResponse summary = Import(Write("chinese.xml", kChineseRecords));
  EXPECT_EQ(summary.created(), 4);
  EXPECT_EQ(summary.cell_therapy(), 0);
  EXPECT_FALSE(Get("ChiCTR2000020002").has_classification());
  EXPECT_TRUE(Matching("cell_therapy = true").empty());
}

TEST_F(TrialClassificationTest, ValidationNamesTheField) {
  Import(Write("chinese.xml", kChineseRecords));
  Trial t = Get("ChiCTR2000020004");
  t.mutable_classification()->set_origin(v1::TrialClassification::ORIGIN_UNSPECIFIED);
  absl::Status s = catalog_->trials().Update(t, {}, "test").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("trial.classification.origin"));

  t = Get("ChiCTR2000020004");
  t.mutable_classification()->add_cell_types(v1::CELL_TYPE_MSC);  // cell_therapy is false
  s = catalog_->trials().Update(t, {}, "test").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("trial.classification.cell_therapy"));

  t = Get("ChiCTR2000020004");
  t.mutable_classification()->set_source("sources/no-such-source");
  s = catalog_->trials().Update(t, {}, "test").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("trial.classification.source"));
}

TEST_F(TrialClassificationTest, CliLoadsTheRulesAndRefusesABadFile) {
  cli::ImportOptions o;
  o.registry = "ictrp";
  o.paths = {Write("chinese.xml", kChineseRecords)};
  o.data_dir = dir_.Sub("cli-db");
  o.dataset = "none";
  o.progress = "false";
  o.classification_rules = kRules;
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunImport(o, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("cell therapy trials    3"));

  o.classification_rules = Write("bad-rules.json", R"({"version": 1, "rules": [{"id": 3}]})");
  o.data_dir = dir_.Sub("cli-db2");
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::RunImport(o, out2, err2), 2);
  EXPECT_THAT(err2.str(), HasSubstr("--classification_rules"));
}

}  // namespace
}  // namespace regenatlas::catalog
