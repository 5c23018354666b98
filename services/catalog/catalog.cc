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

#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
using internal::kIndexCf;
using internal::PostingsOf;
using storage::ColumnFamily;
using storage::Key;

template <typename T>
ResourceTableOptions TableOptions(const CatalogOptions& options, std::string collection,
                                  std::vector<std::string> memory_fields,
                                  std::vector<std::string> order_fields, int index_version = 1) {
  ResourceTableOptions t;
  // Raised when PostingsOf(T) changes: stored indexes are rebuilt on open.
  t.index_version = index_version;
  t.postings = [](const Message& m) { return PostingsOf(static_cast<const T&>(m)); };
  // Facets in memory; unique-per-record fields (registry ids, the
  // per-trial ctgov source) stay in RocksDB postings only.
  t.memory_fields = std::move(memory_fields);
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
          store, &write_mu_,
          TableOptions<Source>(options, "sources", {"kind", "language"}, {"publication_date"}),
          [this](const Source& s) { return ValidateSource(s); },
          [](const Source& s) { return IndexKeysOf("sources", s); }),
      organizations_(
          store, &write_mu_,
          TableOptions<Organization>(options, "organizations",
                                     {"kind", "country", "parent", "source"}, {"display_name"}),
          [this](const Organization& o) { return ValidateOrganization(o); },
          [](const Organization& o) { return IndexKeysOf("organizations", o); }),
      indications_(
          store, &write_mu_,
          TableOptions<Indication>(options, "indications", {"therapeutic_area", "parent", "source"},
                                   {"display_name"}),
          [this](const Indication& i) { return ValidateIndication(i); },
          [](const Indication& i) { return IndexKeysOf("indications", i); }),
      products_(
          store, &write_mu_,
          TableOptions<Product>(
              options, "products",
              {"cell_source", "cell_category", "cell_type", "donor", "gene_edited", "stage",
               "stage_name", "country_stage", "country", "sponsor", "indication",
               "therapeutic_area", "start_year", "source"},
              {"display_name", "highest_stage", "start_date"}),
          [this](const Product& p) { return ValidateProduct(p); },
          [](const Product& p) { return IndexKeysOf("products", p); }),
      trials_(
          store, &write_mu_,
          TableOptions<Trial>(
              options, "trials",
              {"phase", "phase_name", "status", "country", "sponsor", "collaborator", "product",
               "indication", "start_year", "registry", "cell_therapy", "cell_type", "cell_source",
               "donor", "gene_modified"},
              {"phase", "start_date"}, /*index_version=*/2),
          [this](const Trial& t) { return ValidateTrial(t); },
          [](const Trial& t) { return IndexKeysOf("trials", t); }) {
  sources_.set_write_hook([this](auto& ctx) { return SourceHook(ctx); });
  organizations_.set_write_hook([this](auto& ctx) { return OrganizationHook(ctx); });
  indications_.set_write_hook([this](auto& ctx) { return IndicationHook(ctx); });
  products_.set_write_hook([this](auto& ctx) { return ProductHook(ctx); });
  trials_.set_write_hook([this](auto& ctx) { return TrialHook(ctx); });
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

absl::StatusOr<std::vector<std::string>> Catalog::PostingIds(
    absl::string_view collection, absl::string_view field, absl::string_view value,
    const storage::Snapshot* snapshot) const {
  return regenatlas::PostingIds(*store_, kIndexCf, collection, field, value, snapshot);
}

absl::StatusOr<std::string> Catalog::DatasetDigest() const {
  return LoadedDatasetDigest(*store_, ColumnFamily::kCatalog);
}

absl::Status Catalog::SetDatasetDigest(absl::string_view digest) {
  return SetLoadedDatasetDigest(*store_, ColumnFamily::kCatalog, digest);
}

}  // namespace regenatlas::catalog
