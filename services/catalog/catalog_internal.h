// Private to the catalog's implementation files (services/catalog/catalog*.cc),
// not part of the public API: the key layout of the catalog_index column
// family, the record postings and filter vocabulary (defined in
// catalog_schema.cc), the list specs, and the query engine's trial → product
// join (Catalog::CatalogPostings, defined in catalog.cc).
#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_INTERNAL_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/filter.h"
#include "common/filter_fields.h"
#include "common/postings.h"
#include "common/table_index.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "services/catalog/catalog.h"
#include "storage/column_family.h"
#include "storage/store.h"

namespace regenatlas::catalog {
namespace internal {

inline constexpr storage::ColumnFamily kIndexCf = storage::ColumnFamily::kCatalogIndex;

// ---- Index key layout (catalog_index column family) -------------------
// postings   (collection, field, value | int64, id)          → ""
//            only for fields that are not memory fields (MemoryFieldsOf):
//            those are in each record's index row (common/table_index.h)
// registry   ("~registry", canonical registry id)            → trial id
// search     ("~search", gram, product id)                   → ""
// searchdoc  ("~searchdoc", product id)                      → normalised texts, '\n'-joined
// pname      ("~pname", normalised name, product id)         → ""
// issue      ("~issue", record name, n)                      → DataIssue
// format     ("~format", "postings")                         → kPostingsFormat
// '~' keeps these apart from collection names.
inline constexpr absl::string_view kRegistryKey = "~registry";
inline constexpr absl::string_view kSearchKey = "~search";
inline constexpr absl::string_view kSearchDocKey = "~searchdoc";
inline constexpr absl::string_view kNameKey = "~pname";
inline constexpr absl::string_view kIssueKey = "~issue";
inline constexpr absl::string_view kFormatKey = "~format";
// Format 2: no posting keys for memory fields (format 1, or no marker, had
// them; the catalog drops them when it opens such a store).
inline constexpr absl::string_view kPostingsFormat = "2";
// Hand-recorded findings are issues of this pseudo-record, ("~issue",
// "~curated", n): no record name starts with '~', so no hook's StageIssues
// touches them, and ListDataIssues' scan of "~issue" serves them.
inline constexpr absl::string_view kCuratedIssueRecord = "~curated";

// ---- Filter vocabulary: the shared builders (common/filter_fields.h) ---------
using filter::AddSources;
using filter::BoolField;
using filter::CountryField;
using filter::EnumField;
using filter::EnumName;
using filter::EnumNames;
using filter::IntField;
using filter::ResourceField;
using filter::StringField;
// common.v1.DevelopmentStage (product stages and trial phases).
const google::protobuf::EnumDescriptor* StageEnum();

// ---- Record postings and index keys (catalog_schema.cc) -----------------

std::vector<Posting> PostingsOf(const Source& s);
std::vector<Posting> PostingsOf(const Organization& o);
std::vector<Posting> PostingsOf(const Indication& i);
std::vector<Posting> PostingsOf(const Product& p);
std::vector<Posting> PostingsOf(const Trial& t);

// A trial's registry IDs: the primary (if set), then the secondary ones.
std::vector<common::v1::RegistryId> AllIds(const Trial& t);

// The posting fields a collection keeps in memory (TableIndex bitmaps, one
// index row per record); the others are posting keys in RocksDB.
const std::vector<std::string>& MemoryFieldsOf(absl::string_view collection);

// Index keys of a record (its postings of fields not in memory; for
// products also the normalised identifying names of the possible-duplicate
// report). Instantiated for Source, Organization, Indication, Product and
// Trial.
template <typename T>
std::vector<std::string> IndexKeysOf(absl::string_view collection, const T& record);

// Sort key of a record for order_by; strings compare in the wanted order.
std::string CatalogSortKey(const google::protobuf::Message& m, const std::string& field);

// Int postings: stages as their progress rank, years as numbers; nullopt
// for string-encoded fields.
std::optional<absl::StatusOr<int64_t>> CatalogIntEncoder(const std::string& field,
                                                         const std::string& value);

// ---- List specs (catalog_schema.cc) -------------------------------------

const ListSpec& SourcesSpec();
const ListSpec& OrganizationsSpec();
const ListSpec& IndicationsSpec();
const ListSpec& ProductsSpec();
const ListSpec& TrialsSpec();

}  // namespace internal

// The catalog's posting lists, plus the trial → product join
// ("product.cell_source = HIPSC"): the matching products' bitmap, then the
// union of their trials' "product" bitmaps. Needs the products index locked
// too (IndexesFor).
class Catalog::CatalogPostings : public IndexPostings {
 public:
  CatalogPostings(const Catalog* catalog, const std::string& collection,
                  const storage::Snapshot* snapshot);

  absl::StatusOr<Bitmap> Match(const std::string& field, const filter::FieldSpec& spec,
                               filter::Op op, const std::string& value) override;

 private:
  const Catalog* catalog_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_INTERNAL_H_
