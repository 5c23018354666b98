// Shared by the query engine's tests: a trials table with phase and
// country in memory (sponsor in RocksDB postings), its filter schema and
// sort keys, random trials, and a store that can be reopened.
#ifndef REGENATLAS_TESTS_COMMON_TABLE_INDEX_FIXTURE_H_
#define REGENATLAS_TESTS_COMMON_TABLE_INDEX_FIXTURE_H_

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/postings.h"
#include "common/resource_table.h"
#include "common/table_index.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/resources.pb.h"

namespace regenatlas::table_index_testing {

using catalog::v1::Trial;

inline const char* const kCountries[] = {"US", "PL", "CN", "FR", "DE"};

inline std::string DateKey(const common::v1::PartialDate& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

inline std::optional<absl::StatusOr<int64_t>> Encoder(const std::string& field,
                                                      const std::string& v) {
  if (field != "phase") return std::nullopt;
  common::v1::DevelopmentStage s;
  if (!common::v1::DevelopmentStage_Parse(v, &s)) return absl::InvalidArgumentError("bad phase");
  return absl::StatusOr<int64_t>(static_cast<int64_t>(s));
}

inline const filter::Schema& Schema() {
  static const auto* schema = [] {
    auto* s = new filter::Schema;
    filter::FieldSpec phase;
    phase.type = filter::FieldType::kEnum;
    phase.enum_prefix = "DEVELOPMENT_STAGE_";
    for (int i = 0; i < common::v1::DevelopmentStage_descriptor()->value_count(); ++i) {
      phase.enum_values.push_back(common::v1::DevelopmentStage_descriptor()->value(i)->name());
    }
    phase.ordered = true;
    (*s)["phase"] = phase;
    filter::FieldSpec country;
    country.repeated = true;
    (*s)["country"] = country;
    (*s)["sponsor"] = filter::FieldSpec();  // not in memory: RocksDB postings
    return s;
  }();
  return *schema;
}

inline std::vector<Posting> PostingsOf(const Trial& t) {
  std::vector<Posting> out;
  if (t.phase() != 0) out.emplace_back("phase", "", int64_t{t.phase()});
  for (const std::string& c : t.countries()) out.emplace_back("country", c);
  if (!t.sponsor().empty()) out.emplace_back("sponsor", t.sponsor());
  return out;
}

inline std::string SortKey(const google::protobuf::Message& m, const std::string& field) {
  const auto& t = static_cast<const Trial&>(m);
  if (field == "start_date") return DateKey(t.start_date());
  if (field == "phase") return absl::StrFormat("%02d", t.phase());
  return absl::StrFormat("%08d", t.enrollment());  // "enrollment": not in memory
}

inline ListSpec Spec() {
  ListSpec spec;
  spec.collection = "trials";
  spec.schema = &Schema();
  spec.order_fields = {"start_date", "phase", "enrollment"};
  spec.sort_key = &SortKey;
  return spec;
}

// One store and table, reopened at will.
class Fixture {
 public:
  explicit Fixture(std::string path, int version = 1, bool walk = false) : path_(std::move(path)) {
    Open(version, walk);
  }
  void Open(int version = 1, bool walk = false) {
    table_.reset();
    store_.reset();
    storage::StoreOptions o;
    o.path = path_;
    o.sync_writes = false;
    store_ = *storage::Store::Open(o);
    ResourceTableOptions t;
    t.collection = "trials";
    t.change_stream = "test";
    t.postings = [](const google::protobuf::Message& m) {
      return PostingsOf(static_cast<const Trial&>(m));
    };
    t.memory_fields = {"phase", "country"};
    t.order_fields = {"start_date", "phase"};
    t.sort_key = &SortKey;
    t.index_version = version;
    if (walk) {
      // Every non-empty match set walks the sort order (a share of 0 would
      // sort every one: m * 0 <= all).
      t.index_sort_below = 0;
      t.index_sort_share = uint64_t{1} << 20;
    }
    if (tweak_) tweak_(t);
    table_ =
        std::make_unique<ResourceTable<Trial>>(store_.get(), &mu_, t, nullptr, [](const Trial& r) {
          return PostingKeys("trials", PostingsOf(r), r.name().substr(strlen("trials/")));
        });
  }
  // Changes the table's options at the next Open().
  void set_tweak(std::function<void(ResourceTableOptions&)> tweak) { tweak_ = std::move(tweak); }
  ResourceTable<Trial>& table() { return *table_; }
  storage::Store& store() { return *store_; }

  absl::StatusOr<ListResult<Trial>> List(const ListQuery& q) {
    IndexReadLock lock(*store_, {&table_->index()});
    IndexPostings postings(&table_->index(), store_.get(), storage::ColumnFamily::kCatalogIndex,
                           lock.snapshot(), &Encoder);
    return RunList(*table_, Spec(), postings, lock, q);
  }

 private:
  std::string path_;
  absl::Mutex mu_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ResourceTable<Trial>> table_;
  std::function<void(ResourceTableOptions&)> tweak_;
};

inline std::string TempDir(const std::string& name) {
  std::string dir = absl::StrCat(::testing::TempDir(), "/table_index_", name, "_", getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

inline Trial RandomTrial(std::mt19937& rng) {
  Trial t;
  t.set_phase(static_cast<common::v1::DevelopmentStage>(rng() % 5));
  for (const char* c : kCountries) {
    if (rng() % 3 == 0) t.add_countries(c);
  }
  if (rng() % 4 == 0) t.set_sponsor(absl::StrCat("organizations/s", rng() % 3));
  t.mutable_start_date()->set_year(2000 + static_cast<int>(rng() % 5));
  t.mutable_start_date()->set_month(static_cast<int>(rng() % 3));
  t.set_enrollment(static_cast<int>(rng() % 7));
  return t;
}

}  // namespace regenatlas::table_index_testing

#endif  // REGENATLAS_TESTS_COMMON_TABLE_INDEX_FIXTURE_H_
