// The catalog's index key format: memory fields (the facets kept as
// in-memory bitmaps) have no posting keys in RocksDB, a store written with
// them loses them when the catalog opens it, and the write hooks that look
// records up by a memory field (references, derived trials) still see them.

#include <string>
#include <vector>

#include "common/postings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "storage/key.h"
#include "tests/services/catalog/catalog_domain_fixture.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using testing_util::CatalogDomainTest;

constexpr storage::ColumnFamily kIndexCf = storage::ColumnFamily::kCatalogIndex;

class PostingsFormatTest : public CatalogDomainTest {
 protected:
  size_t KeysUnder(const std::string& prefix) {
    size_t n = 0;
    EXPECT_TRUE(store_
                    ->Scan(kIndexCf, storage::ScanRange::Prefix(prefix), nullptr,
                           [&n](absl::string_view, absl::string_view) {
                             ++n;
                             return true;
                           })
                    .ok());
    return n;
  }
  std::string Marker() { return storage::Key().String("~format").String("postings").Release(); }
};

TEST_F(PostingsFormatTest, MemoryFieldsHaveNoPostingKeys) {
  ASSERT_TRUE(
      AddTrial("NCT04982081", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"CN"}, 2021, {"hicm-188"})
          .ok());
  for (const char* field : {"country", "phase", "product", "start_year"}) {
    EXPECT_EQ(KeysUnder(PostingPrefix("trials", field)), 0u) << field;
  }
  EXPECT_EQ(KeysUnder(PostingPrefix("products", "sponsor")), 0u);
  // Fields that are not in memory keep their keys.
  EXPECT_EQ(KeysUnder(PostingPrefix("trials", "registry_id")), 1u);
  EXPECT_EQ(KeysUnder(PostingPrefix("trials", "source")), 1u);
  EXPECT_EQ(*store_->Get(kIndexCf, Marker()), "2");
}

TEST_F(PostingsFormatTest, AnOlderStoreLosesItsMemoryFieldKeysAndHooksStillSeeReferences) {
  ASSERT_TRUE(
      AddTrial("NCT04982081", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"CN"}, 2021, {"hicm-188"})
          .ok());
  // What a format-1 store holds beside the records: a key per memory-field
  // posting (here a stale one of no record) and no marker.
  storage::WriteBatch old_format;
  old_format.Put(kIndexCf, PostingKey("trials", Posting("country", "CN"), "nct04982081"), "");
  old_format.Put(kIndexCf, PostingKey("trials", Posting("country", "JP"), "gone"), "");
  old_format.Put(kIndexCf, PostingKey("products", Posting("sponsor", "x"), "gone"), "");
  old_format.Delete(kIndexCf, Marker());
  ASSERT_TRUE(store_->Write(std::move(old_format)).ok());
  ASSERT_EQ(KeysUnder(PostingPrefix("trials", "country")), 2u);

  catalog_.reset();
  catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{});
  ASSERT_TRUE(catalog_->status().ok()) << catalog_->status();
  EXPECT_EQ(KeysUnder(PostingPrefix("trials", "country")), 0u);
  EXPECT_EQ(KeysUnder(PostingPrefix("products", "sponsor")), 0u);
  EXPECT_EQ(KeysUnder(PostingPrefix("trials", "registry_id")), 1u);
  EXPECT_EQ(*store_->Get(kIndexCf, Marker()), "2");

  // The hooks' lookups by memory field read the in-memory index.
  EXPECT_EQ(catalog_->products().Delete("products/hicm-188", "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->organizations().Delete("organizations/help", "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->indications().Delete("indications/heart-failure", "").code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(
      AddTrial("NCT05566600", common::v1::DEVELOPMENT_STAGE_PHASE_2, {"US"}, 2023, {"hicm-188"})
          .ok());
  Product p = *catalog_->products().Get("products/hicm-188");
  EXPECT_THAT(p.trials(), ElementsAre("trials/nct04982081", "trials/nct05566600"));
  EXPECT_EQ(p.highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(ProductNames("country = US"), (std::vector<std::string>{"products/hicm-188"}));
}

}  // namespace
}  // namespace regenatlas::catalog
