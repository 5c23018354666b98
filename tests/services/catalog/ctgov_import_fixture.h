// The fixture of the ClinicalTrials.gov importer tests (ctgov_import_test.cc,
// ctgov_import_records_test.cc, ctgov_import_dataset_test.cc): a catalog in
// a temp store, the real API v2 fixtures of tests/fixtures/ctgov and helpers
// to derive inputs from them. A named namespace: googletest needs one
// fixture type for a suite's tests across files.

#ifndef REGENATLAS_TESTS_SERVICES_CATALOG_CTGOV_IMPORT_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_CATALOG_CTGOV_IMPORT_FIXTURE_H_

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/dates.h"
#include "common/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/ctgov_import.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"
#include "tests/testing/server_fixture.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog::ctgov_testing {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const std::string kFixtures = REGENATLAS_SOURCE_DIR "/tests/fixtures/ctgov/";
const std::string kStudy1 = kFixtures + "aact__json_v2_NCT02552212.json";
const std::string kStudy2 = kFixtures + "aact__json_v2_NCT02210780.json";
const std::string kPhelan1 = kFixtures + "biomcp__ctgov_search_phelan_limit5_20260811.json";
const std::string kPhelan2 = kFixtures + "biomcp__ctgov_search_phelan_next_20260811.json";
const std::string kKeytruda = kFixtures + "biomcp__ctgov_search_keytruda_limit3_20260811.json";

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with the first occurrence of `from` replaced; fails the test when absent.
inline std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

inline std::string Date(const common::v1::PartialDate& d) { return FormatPartialDate(d); }

inline std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

class CtgovImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    options.clock = [this] { return now_; };
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{[this] { return now_; }});
  }

  // Imports `paths` with a new importer (as separate CLI runs would) and
  // returns its summary.
  v1::ImportClinicalTrialsResponse Import(const std::vector<std::string>& paths) {
    CtgovImportOptions options;
    options.sync_writes = false;
    auto importer = CtgovImporter::Create(catalog_.get(), options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    for (const std::string& p : paths) {
      absl::Status s = (*importer)->ImportFile(p);
      EXPECT_TRUE(s.ok()) << s;
    }
    return (*importer)->summary();
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // For expressions on scalar fields; a missing trial fails the test and
  // reads as an empty one.
  Trial GetTrial(const std::string& id) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    EXPECT_TRUE(t.ok()) << id << ": " << t.status();
    return t.ok() ? *t : Trial();
  }

  // Stops the test (under ASSERT_NO_FATAL_FAILURE) when `id` is missing, so
  // that the caller never indexes into an empty trial.
  void LoadTrial(const std::string& id, Trial* out) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    ASSERT_TRUE(t.ok()) << id << ": " << t.status();
    *out = *std::move(t);
  }

  bool Exists(const std::string& collection, const std::string& id) {
    if (collection == "trials") return catalog_->trials().Get("trials/" + id).ok();
    if (collection == "sources") return catalog_->sources().Get("sources/" + id).ok();
    return catalog_->organizations().Get("organizations/" + id).ok();
  }

  std::string OrgName(const std::string& name) {
    absl::StatusOr<Organization> o = catalog_->organizations().Get(name);
    EXPECT_TRUE(o.ok()) << name << ": " << o.status();
    return o.ok() ? o->display_name() : "";
  }

  // The change-log entries after `seq`, decoded.
  std::vector<common::v1::ResourceChange> ChangesAfter(uint64_t seq) {
    std::vector<common::v1::ResourceChange> out;
    auto changes = store_->ReadChanges(Catalog::kChangeStream, seq, 10000);
    EXPECT_TRUE(changes.ok()) << changes.status();
    for (const auto& c : *changes) {
      common::v1::ResourceChange rc;
      EXPECT_TRUE(rc.ParseFromString(c.payload));
      out.push_back(rc);
    }
    return out;
  }

  static const v1::ImportedRecord* ResultFor(const v1::ImportClinicalTrialsResponse& s,
                                             const std::string& nct) {
    for (const auto& r : s.results()) {
      if (r.nct_id() == nct) return &r;
    }
    return nullptr;
  }

  static std::vector<std::string> Problems(const v1::ImportClinicalTrialsResponse& s,
                                           v1::ImportProblemSeverity severity) {
    std::vector<std::string> out;
    for (const auto& p : s.problems()) {
      if (p.severity() == severity) out.push_back(absl::StrCat(p.path(), ": ", p.message()));
    }
    return out;
  }

  testing::TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

}  // namespace regenatlas::catalog::ctgov_testing

#endif  // REGENATLAS_TESTS_SERVICES_CATALOG_CTGOV_IMPORT_FIXTURE_H_
