// The Catalog's wiring: its five resource tables (options, validators,
// indexers, write hooks), the lookups shared by the other catalog*.cc files
// (TableOf, IndexesFor, Load, PostingIds), the query engine's trial → product
// join (CatalogPostings) and the dataset digest.
//
// The rest of the class lives by responsibility in catalog_schema.cc (record
// postings, filter schemas, list specs), catalog_validation.cc,
// catalog_hooks.cc, catalog_derivation.cc, catalog_search.cc,
// catalog_lookups.cc, catalog_counts.cc and catalog_data_quality.cc.
#include "services/catalog/catalog.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/dataset.h"
#include "common/status_macros.h"
#include "services/catalog/catalog_internal.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using google::protobuf::Message;
using internal::CatalogIntEncoder;
using internal::CatalogSortKey;
using internal::IndexKeysOf;
using internal::kFormatKey;
using internal::kIndexCf;
using internal::kPostingsFormat;
using internal::MemoryFieldsOf;
using internal::PostingsOf;
using storage::ColumnFamily;
using storage::Key;

template <typename T>
ResourceTableOptions TableOptions(const CatalogOptions& options, std::string collection,
                                  std::vector<std::string> order_fields, int index_version = 1) {
  ResourceTableOptions t;
  // Raised when PostingsOf(T) changes: stored indexes are rebuilt on open.
  t.index_version = index_version;
  t.postings = [](const Message& m) { return PostingsOf(static_cast<const T&>(m)); };
  // Facets in memory; unique-per-record fields (registry ids, the
  // per-trial ctgov source) stay in RocksDB postings only.
  t.memory_fields = MemoryFieldsOf(collection);
  t.order_fields = std::move(order_fields);
  t.sort_key = &CatalogSortKey;
  t.collection = std::move(collection);
  t.records_cf = ColumnFamily::kCatalog;
  t.index_cf = kIndexCf;
  t.change_stream = std::string(Catalog::kChangeStream);
  t.clock = options.clock;
  return t;
}

}  // namespace

Catalog::CatalogPostings::CatalogPostings(const Catalog* catalog, const std::string& collection,
                                          const storage::Snapshot* snapshot)
    : IndexPostings(&catalog->TableOf(collection)->index(), catalog->store_, kIndexCf, snapshot,
                    &CatalogIntEncoder),
      catalog_(catalog) {}

absl::StatusOr<Bitmap> Catalog::CatalogPostings::Match(const std::string& field,
                                                       const filter::FieldSpec& spec, filter::Op op,
                                                       const std::string& value) {
  if (!absl::StartsWith(field, "product.")) return IndexPostings::Match(field, spec, op, value);
  CatalogPostings products(catalog_, "products", snapshot());
  ASSIGN_OR_RETURN(Bitmap product_ids,
                   products.Match(field.substr(strlen("product.")), spec, op, value));
  Bitmap out;
  for (uint32_t d : product_ids) {
    out |= index().Equal("product", absl::StrCat("products/", products.index().IdOf(d)));
  }
  return out;
}

std::vector<const TableIndex*> Catalog::IndexesFor(absl::string_view collection) const {
  if (collection == "trials") return {&trials_.index(), &products_.index()};
  return {&TableOf(collection)->index()};
}

Catalog::Catalog(storage::Store* store, CatalogOptions options)
    : store_(store),
      trial_classifier_(options.trial_classifier),
      sources_(
          store, &write_mu_, TableOptions<Source>(options, "sources", {"publication_date"}),
          [this](const Source& s) { return ValidateSource(s); },
          [](const Source& s) { return IndexKeysOf("sources", s); }),
      organizations_(
          store, &write_mu_, TableOptions<Organization>(options, "organizations", {"display_name"}),
          [this](const Organization& o) { return ValidateOrganization(o); },
          [](const Organization& o) { return IndexKeysOf("organizations", o); }),
      indications_(
          store, &write_mu_, TableOptions<Indication>(options, "indications", {"display_name"}),
          [this](const Indication& i) { return ValidateIndication(i); },
          [](const Indication& i) { return IndexKeysOf("indications", i); }),
      products_(
          store, &write_mu_,
          TableOptions<Product>(options, "products",
                                {"display_name", "highest_stage", "start_date"}),
          [this](const Product& p) { return ValidateProduct(p); },
          [](const Product& p) { return IndexKeysOf("products", p); }),
      trials_(
          store, &write_mu_,
          TableOptions<Trial>(options, "trials", {"phase", "start_date"}, /*index_version=*/2),
          [this](const Trial& t) { return ValidateTrial(t); },
          [](const Trial& t) { return IndexKeysOf("trials", t); }) {
  sources_.set_write_hook([this](auto& ctx) { return SourceHook(ctx); });
  organizations_.set_write_hook([this](auto& ctx) { return OrganizationHook(ctx); });
  indications_.set_write_hook([this](auto& ctx) { return IndicationHook(ctx); });
  products_.set_write_hook([this](auto& ctx) { return ProductHook(ctx); });
  trials_.set_write_hook([this](auto& ctx) { return TrialHook(ctx); });
  status_ = DropMemoryFieldPostings();
}

const ResourceTableBase* Catalog::TableOf(absl::string_view collection) const {
  if (collection == "sources") return &sources_;
  if (collection == "organizations") return &organizations_;
  if (collection == "indications") return &indications_;
  if (collection == "products") return &products_;
  return &trials_;
}

template <typename T>
absl::StatusOr<bool> Catalog::Load(const ResourceTable<T>& table, absl::string_view name,
                                   const Pending& pending, T* out) const {
  auto it = pending.find(std::string(name));
  if (it != pending.end()) {
    if (it->second == nullptr) return false;
    out->CopyFrom(*it->second);
    return true;
  }
  absl::StatusOr<std::string> id = table.IdOf(name, "name");
  if (!id.ok()) return false;
  return table.FindRaw(*id, out);
}

// Validation, derivation and search staging (other files) call Load.
template absl::StatusOr<bool> Catalog::Load(const ResourceTable<Source>&, absl::string_view,
                                            const Pending&, Source*) const;
template absl::StatusOr<bool> Catalog::Load(const ResourceTable<Organization>&, absl::string_view,
                                            const Pending&, Organization*) const;
template absl::StatusOr<bool> Catalog::Load(const ResourceTable<Indication>&, absl::string_view,
                                            const Pending&, Indication*) const;
template absl::StatusOr<bool> Catalog::Load(const ResourceTable<Product>&, absl::string_view,
                                            const Pending&, Product*) const;
template absl::StatusOr<bool> Catalog::Load(const ResourceTable<Trial>&, absl::string_view,
                                            const Pending&, Trial*) const;

absl::StatusOr<std::vector<std::string>> Catalog::PostingIds(absl::string_view collection,
                                                             absl::string_view field,
                                                             absl::string_view value) const {
  const TableIndex& index = TableOf(collection)->index();
  if (!index.IsMemoryField(field)) {
    return regenatlas::PostingIds(*store_, kIndexCf, collection, field, value, nullptr);
  }
  // Memory fields have no posting keys. Callers hold write_mu_, so no
  // commit runs meanwhile: the index is the committed state, as a read of
  // the posting keys would have been.
  RETURN_IF_ERROR(index.status());
  std::optional<absl::StatusOr<int64_t>> number =
      CatalogIntEncoder(std::string(field), std::string(value));
  std::vector<std::string> ids;
  absl::ReaderMutexLock lock(&index.mu());
  Bitmap matches;
  if (!number.has_value()) {
    matches = index.Equal(field, value);
  } else if (number->ok()) {
    matches = index.IntRange(field, **number, **number);
  }
  ids.reserve(matches.cardinality());
  for (uint32_t dense : matches) ids.push_back(index.IdOf(dense));
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::Status Catalog::DropMemoryFieldPostings() {
  const std::string marker = Key().String(kFormatKey).String("postings").Release();
  ASSIGN_OR_RETURN(std::optional<std::string> format, store_->Get(kIndexCf, marker));
  if (format == kPostingsFormat) return absl::OkStatus();
  // Stores written before format 2 hold a posting key per memory field and
  // record. Nothing reads them any more; writes would not delete them.
  // Not synced: a marker lost in a crash only repeats the deletes.
  storage::WriteBatch batch;
  for (const ResourceTableBase* table : std::initializer_list<const ResourceTableBase*>{
           &sources_, &organizations_, &indications_, &products_, &trials_}) {
    const TableIndexOptions& options = table->index().options();
    for (const std::string& field : options.memory_fields) {
      std::string prefix = PostingPrefix(options.collection, field);
      std::string end = Key::PrefixEnd(prefix);
      batch.DeleteRange(kIndexCf, std::move(prefix), std::move(end));
    }
  }
  batch.Put(kIndexCf, marker, std::string(kPostingsFormat));
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<std::string> Catalog::DatasetDigest() const {
  return LoadedDatasetDigest(*store_, ColumnFamily::kCatalog);
}

absl::Status Catalog::SetDatasetDigest(absl::string_view digest) {
  return SetLoadedDatasetDigest(*store_, ColumnFamily::kCatalog, digest);
}

}  // namespace regenatlas::catalog
