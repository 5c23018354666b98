#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_CLIENT_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_CLIENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "regenatlas/catalog/v1/resources.pb.h"

namespace regenatlas::timeline {

// What the timeline needs from the catalog. The domain depends on this
// interface; GrpcCatalogClient implements it over the catalog's public API
// (the only way services reach each other).
class CatalogClient {
 public:
  virtual ~CatalogClient() = default;

  // OK when every name (products/…, organizations/…, trials/…, sources/…)
  // exists. INVALID_ARGUMENT "<field>[i]: <name> does not exist" for the
  // first missing one; UNAVAILABLE / DEADLINE_EXCEEDED when the catalog
  // cannot answer.
  virtual absl::Status CheckExist(const std::vector<std::string>& names,
                                  const std::vector<std::string>& fields) = 0;
  // The trials that list `product`.
  virtual absl::StatusOr<std::vector<catalog::v1::Trial>> TrialsOfProduct(
      absl::string_view product) = 0;
  // Products by name, in order; missing ones are skipped.
  virtual absl::StatusOr<std::vector<catalog::v1::Product>> GetProducts(
      const std::vector<std::string>& names) = 0;
  // Replaces a product's regulatory stages in the catalog (through
  // CatalogInternalService, which only peers may call).
  virtual absl::Status SetRegulatoryStages(
      absl::string_view product, const std::vector<catalog::v1::CountryStage>& stages) = 0;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_CLIENT_H_
