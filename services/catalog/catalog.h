#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/filter.h"
#include "common/postings.h"
#include "common/resource_table.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "services/catalog/classification.h"
#include "storage/store.h"

namespace regenatlas::catalog {

using catalog::v1::Indication;
using catalog::v1::Organization;
using catalog::v1::Product;
using catalog::v1::Source;
using catalog::v1::Trial;
using common::v1::DataIssue;

// How the catalog domain is configured.
struct CatalogOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The rules imports classify trials with (docs/import.md#classification);
  // null: imported trials are not classified.
  std::shared_ptr<const classification::Classifier> trial_classifier;
};

using ::regenatlas::ListQuery;
using ::regenatlas::ListResult;

// The catalog's domain logic: validation, records, their secondary indexes
// (filter postings, registry-ID lookup, search n-grams, data-quality
// findings) and derived fields, all committed in one WriteBatch per call.
// No gRPC here: methods return absl::Status — INVALID_ARGUMENT naming the
// field, NOT_FOUND, ALREADY_EXISTS, ABORTED on etag mismatch,
// FAILED_PRECONDITION when deleting a referenced record — and a failed call
// writes nothing. Thread-safe.
//
// Derived (output-only) fields are never accepted from callers:
// Product.cell_category, therapeutic_areas, trials, countries,
// first_trial_start, highest_stage and stage_by_country are recomputed
// whenever the product, one of its trials or one of its indications changes.
class Catalog {
 public:
  // The change-log stream the catalog appends to.
  static constexpr absl::string_view kChangeStream = "catalog";

  // `store` is not owned and must outlive the Catalog.
  Catalog(storage::Store* store, CatalogOptions options);

  // OK, or the error of upgrading the store's index format when it opened
  // (DropMemoryFieldPostings); callers treat it as a startup error.
  absl::Status status() const { return status_; }

  // Standard methods: Create/Get/Update/Delete go through these tables,
  // whose validators and write hooks belong to this class.
  ResourceTable<Source>& sources() { return sources_; }
  ResourceTable<Organization>& organizations() { return organizations_; }
  ResourceTable<Indication>& indications() { return indications_; }
  ResourceTable<Product>& products() { return products_; }
  ResourceTable<Trial>& trials() { return trials_; }

  // The rules imports classify trials with; null when there are none.
  const classification::Classifier* trial_classifier() const { return trial_classifier_.get(); }

  // Creates a trial; an empty `trial_id` derives the id from the primary
  // registry ID ("NCT05068674" → "nct05068674").
  absl::StatusOr<Trial> CreateTrial(absl::string_view trial_id, Trial trial,
                                    absl::string_view origin = "api");
  // `name_or_id` is "trials/{id}" or any registry ID of the trial.
  absl::StatusOr<Trial> GetTrial(absl::string_view name_or_id) const;

  // Filtered, ordered, paginated lists (see docs/catalog.md for fields).
  absl::StatusOr<ListResult<Source>> ListSources(const ListQuery& q) const;
  absl::StatusOr<ListResult<Organization>> ListOrganizations(const ListQuery& q) const;
  absl::StatusOr<ListResult<Indication>> ListIndications(const ListQuery& q) const;
  absl::StatusOr<ListResult<Product>> ListProducts(const ListQuery& q) const;
  absl::StatusOr<ListResult<Trial>> ListTrials(const ListQuery& q) const;

  absl::StatusOr<catalog::v1::SearchProductsResponse> SearchProducts(
      const catalog::v1::SearchProductsRequest& request) const;
  absl::StatusOr<catalog::v1::ResolveRegistryIdResponse> ResolveRegistryId(
      absl::string_view text) const;
  absl::StatusOr<catalog::v1::ListDataIssuesResponse> ListDataIssues(
      const catalog::v1::ListDataIssuesRequest& request) const;
  // Replaces the hand-recorded findings (the catalog dataset's
  // CuratedFindings, see curated_findings.h) that ListDataIssues serves beside
  // the computed ones. Unsynced, like the dataset loader's other writes.
  absl::Status ReplaceCuratedFindings(const std::vector<DataIssue>& issues);

  // Counts of products / trials matching `filter`, grouped by one or two
  // dimensions (see CatalogService.CountProducts), from the posting lists.
  // Dimensions are named as in the deprecated `group_by` field ("country",
  // "stage"; the lower-case names of ProductDimension / TrialDimension);
  // INVALID_ARGUMENT errors about them name `field` ("group_by" or
  // "dimensions", the request field they came from).
  absl::StatusOr<catalog::v1::CountResponse> CountProducts(
      absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
      absl::string_view field = "group_by") const;
  absl::StatusOr<catalog::v1::CountResponse> CountTrials(
      absl::string_view filter, const google::protobuf::RepeatedPtrField<std::string>& group_by,
      absl::string_view field = "group_by") const;

  // Replaces a product's regulatory stages (see CatalogService.SetRegulatoryStages).
  absl::StatusOr<Product> SetRegulatoryStages(
      absl::string_view product,
      const google::protobuf::RepeatedPtrField<catalog::v1::CountryStage>& stages,
      absl::string_view origin = "timeline");

  // Digest of the reference dataset last loaded into this catalog ("" if
  // none), and recording it (a synced write).
  absl::StatusOr<std::string> DatasetDigest() const;
  absl::Status SetDatasetDigest(absl::string_view digest);

  // The filter schemas, for documentation and tests.
  static const filter::Schema& ProductSchema();
  static const filter::Schema& TrialSchema();

 private:
  // The query engine's postings with the trial → product join
  // (catalog_internal.h).
  class CatalogPostings;
  // Writes not yet committed, by resource name (null = deleted), so that
  // derivations inside a write see the state the batch will commit.
  using Pending = std::map<std::string, const google::protobuf::Message*>;

  template <typename T>
  absl::StatusOr<bool> Load(const ResourceTable<T>& table, absl::string_view name,
                            const Pending& pending, T* out) const;

  absl::Status ValidateSource(const Source& s) const;
  absl::Status ValidateOrganization(const Organization& o) const;
  absl::Status ValidateIndication(const Indication& i) const;
  absl::Status ValidateProduct(const Product& p) const;
  absl::Status ValidateTrial(const Trial& t) const;
  absl::Status ValidateClassification(const Trial& t) const;
  absl::Status ValidateCitationsExist(
      const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& citations,
      absl::string_view field) const;
  absl::Status ValidateClaims(const google::protobuf::RepeatedPtrField<common::v1::Claim>& claims,
                              absl::string_view field) const;
  template <typename T>
  absl::Status ValidateRefs(const ResourceTable<T>& table,
                            const google::protobuf::RepeatedPtrField<std::string>& names,
                            absl::string_view field) const;

  absl::Status SourceHook(ResourceTableBase::WriteContext& ctx);
  absl::Status OrganizationHook(ResourceTableBase::WriteContext& ctx);
  absl::Status IndicationHook(ResourceTableBase::WriteContext& ctx);
  absl::Status ProductHook(ResourceTableBase::WriteContext& ctx);
  absl::Status TrialHook(ResourceTableBase::WriteContext& ctx);

  // Recomputes a product's derived fields as of `pending`. With `issues`,
  // also returns every data-quality finding about the product (its claims,
  // names and trials), to be stored with StageIssues.
  absl::Status DeriveProduct(absl::string_view id, Product* product, const Pending& pending,
                             std::vector<DataIssue>* issues = nullptr) const;
  // Re-derives the given products, stages those that changed and their
  // findings.
  absl::Status RestageProducts(const std::vector<std::string>& product_ids, const Pending& pending,
                               storage::WriteBatch& batch) const;
  // Stages the search document and n-grams of a product (null = deleted).
  absl::Status StageSearch(absl::string_view id, const Product* product, const Pending& pending,
                           storage::WriteBatch& batch) const;
  // Replaces the data-quality findings stored for `record`.
  absl::Status StageIssues(absl::string_view record, const std::vector<DataIssue>& issues,
                           storage::WriteBatch& batch) const;
  // FAILED_PRECONDITION when a posting (collection, field, value) exists.
  absl::Status RefuseIfReferenced(
      absl::string_view name, const std::vector<std::pair<std::string, std::string>>& uses) const;
  // Sorted ids of the committed records with posting (collection, field,
  // value): from the in-memory index for memory fields, else from the
  // posting keys. Called with write_mu_ held (write hooks).
  absl::StatusOr<std::vector<std::string>> PostingIds(absl::string_view collection,
                                                      absl::string_view field,
                                                      absl::string_view value) const;
  // Deletes the posting keys of memory fields that stores written before
  // postings format 2 hold, once (marker key); called by the constructor.
  absl::Status DropMemoryFieldPostings();

  const ResourceTableBase* TableOf(absl::string_view collection) const;
  // The indexes a read of `collection` consults (trials join products).
  std::vector<const TableIndex*> IndexesFor(absl::string_view collection) const;

  template <typename T>
  absl::StatusOr<ListResult<T>> List(const ResourceTable<T>& table, const ListSpec& spec,
                                     const ListQuery& q) const;
  absl::StatusOr<catalog::v1::CountResponse> Count(
      const ListSpec& spec, absl::string_view filter,
      const google::protobuf::RepeatedPtrField<std::string>& group_by,
      const std::map<std::string, std::string>& dimensions, absl::string_view field) const;

  storage::Store* const store_;
  const std::shared_ptr<const classification::Classifier> trial_classifier_;
  absl::Mutex write_mu_;
  ResourceTable<Source> sources_;
  ResourceTable<Organization> organizations_;
  ResourceTable<Indication> indications_;
  ResourceTable<Product> products_;
  ResourceTable<Trial> trials_;
  absl::Status status_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_H_
