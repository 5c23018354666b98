#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/resource_table.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "storage/store.h"

namespace regenatlas::catalog {

using catalog::v1::Source;

// How the catalog domain is configured.
struct CatalogOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// The catalog's domain logic: validation, records and their indexes in the
// Store, change-log entries. No gRPC here: methods return absl::Status
// (INVALID_ARGUMENT naming the field, NOT_FOUND, ALREADY_EXISTS, ABORTED on
// etag mismatch) and a failed call writes nothing. Thread-safe.
class Catalog {
 public:
  // The change-log stream the catalog appends to.
  static constexpr absl::string_view kChangeStream = "catalog";

  // `store` is not owned and must outlive the Catalog.
  Catalog(storage::Store* store, CatalogOptions options);

  ResourceTable<Source>& sources() { return sources_; }
  const ResourceTable<Source>& sources() const { return sources_; }

 private:
  static absl::Status ValidateSource(const Source& source);

  absl::Mutex write_mu_;
  ResourceTable<Source> sources_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_H_
