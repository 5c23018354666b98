// Hand-recorded findings (CuratedFinding, data/catalog/findings.txtpb): the
// bundled ones load and ListDataIssues serves them marked hand_recorded,
// filterable like the computed ones; a finding whose quote no record cites
// from its source is rejected by the loader.

#include "services/catalog/curated_findings.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kDataDir[] = REGENATLAS_SOURCE_DIR "/data/catalog";

class CuratedFindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    store_ = std::move(*storage::Store::Open(options));
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{});
    ASSERT_TRUE(LoadDatasetDir(kDataDir, &dataset_, &report_).ok());
    ASSERT_TRUE(report_.errors.empty()) << report_.errors.front();
  }

  std::vector<DataIssue> Issues(const std::string& filter) {
    v1::ListDataIssuesRequest req;
    req.set_page_size(1000);
    req.set_filter(filter);
    absl::StatusOr<v1::ListDataIssuesResponse> r = catalog_->ListDataIssues(req);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    return {r->issues().begin(), r->issues().end()};
  }

  // A copy of a bundled finding with `quote` as its first citation's quote.
  v1::CuratedFinding WithQuote(const std::string& name, const std::string& quote) {
    v1::CuratedFinding f = dataset_.findings(0);
    f.set_name(name);
    f.mutable_citations(0)->set_quote(quote);
    return f;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
  v1::CatalogDataset dataset_;
  DatasetReport report_;
};

TEST_F(CuratedFindingsTest, BundledFindingsAreServedMarkedHandRecorded) {
  absl::StatusOr<LoadSummary> loaded = EnsureCatalogDataset(*catalog_, kDataDir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->rejected.empty()) << loaded->rejected.front();

  std::vector<DataIssue> hand = Issues("hand_recorded = true");
  ASSERT_THAT(hand, SizeIs(8));
  for (const DataIssue& d : hand) {
    EXPECT_TRUE(d.hand_recorded());
    EXPECT_NE(d.severity(), common::v1::DATA_ISSUE_SEVERITY_UNSPECIFIED) << d.record();
    EXPECT_FALSE(d.citations().empty()) << d.record();
  }
  EXPECT_THAT(Issues("kind = CURATOR_NOTE"), SizeIs(7));
  EXPECT_THAT(Issues("kind = CURATOR_NOTE AND severity = WARNING"), SizeIs(7));
  // Computed and hand-recorded findings partition the report.
  EXPECT_EQ(Issues("hand_recorded = false").size() + 8, Issues("").size());

  // The contradiction between documents 003 and 004 about VX-264.
  std::vector<DataIssue> vx = Issues("hand_recorded = true AND product = \"products/vx-264\"");
  ASSERT_THAT(vx, SizeIs(1));
  EXPECT_EQ(vx[0].kind(), common::v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS);
  EXPECT_EQ(vx[0].severity(), common::v1::DATA_ISSUE_SEVERITY_ERROR);
  EXPECT_EQ(vx[0].field(), "status");
  EXPECT_THAT(vx[0].values(), ElementsAre("terminated", "in clinical research"));
  ASSERT_THAT(vx[0].citations(), SizeIs(2));
  EXPECT_THAT(vx[0].citations(0).quote(), HasSubstr("已终止开发"));
  EXPECT_THAT(vx[0].related_records(), ElementsAre("events/vx-264-development-terminated"));

  // Filters by record (also other services' records), related product and source.
  EXPECT_THAT(Issues("hand_recorded = true AND record = \"trials/amimestrocel-cn-phase-3\""),
              SizeIs(1));
  EXPECT_THAT(Issues("hand_recorded = true AND product = \"events/vx-264-development-terminated\""),
              SizeIs(1));
  EXPECT_THAT(Issues("hand_recorded = true AND source = \"sources/news-2025-beijing-platinum\""),
              SizeIs(5));
}

TEST_F(CuratedFindingsTest, QuoteNotCitedFromItsSourceIsRejected) {
  ASSERT_GE(dataset_.findings_size(), 1);
  const std::string real = dataset_.findings(0).citations(0).quote();
  *dataset_.add_findings() = WithQuote("findings/made-up-quote", "VX-264 已获批上市");
  // A real quote, but of the other document.
  v1::CuratedFinding wrong_source = WithQuote("findings/wrong-source", real);
  wrong_source.mutable_citations(0)->set_source("sources/review-cell-therapy-drugs");
  *dataset_.add_findings() = wrong_source;
  v1::CuratedFinding no_kind = WithQuote("findings/no-kind", real);
  no_kind.clear_kind();
  *dataset_.add_findings() = no_kind;

  absl::StatusOr<LoadSummary> loaded = LoadCatalogDataset(*catalog_, dataset_, report_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_THAT(loaded->rejected, SizeIs(3));
  EXPECT_THAT(loaded->rejected, Contains(HasSubstr("findings/made-up-quote")));
  EXPECT_THAT(loaded->rejected[0], HasSubstr("is not in a quote that records cite from"));
  EXPECT_THAT(loaded->rejected, Contains(HasSubstr("findings/no-kind (): kind is required")));
  // The valid ones are stored; the rejected ones are not.
  EXPECT_THAT(Issues("hand_recorded = true"), SizeIs(8));

  // Reloading without findings removes the stored ones.
  dataset_.clear_findings();
  ASSERT_TRUE(LoadCatalogDataset(*catalog_, dataset_, report_).ok());
  EXPECT_THAT(Issues("hand_recorded = true"), SizeIs(0));
}

TEST(CuratedFindingErrorsTest, NamesEveryProblem) {
  CitedQuotes quotes;
  common::v1::SourceCitation cited;
  cited.set_source("sources/a");
  cited.set_quote("the whole printed sentence");
  quotes.Add(cited);
  v1::CuratedFinding f;
  f.set_name("findings/x");
  f.set_kind(common::v1::DATA_ISSUE_KIND_CURATOR_NOTE);
  f.set_record("products/p");
  f.set_description("a doubt");
  auto* c = f.add_citations();
  c->set_source("sources/a");
  c->set_quote("printed sentence");
  EXPECT_THAT(CuratedFindingErrors(f, {"sources/a"}, quotes), SizeIs(0));
  f.set_record("p");
  c->set_source("sources/b");
  EXPECT_THAT(CuratedFindingErrors(f, {"sources/a"}, quotes),
              ElementsAre(HasSubstr("record \"p\""), HasSubstr("\"sources/b\" is not a source")));
}

}  // namespace
}  // namespace regenatlas::catalog
