#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_REFS_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_REFS_H_

// What the timeline asks of the catalog, as domain operations over the
// catalog's client interface (services/catalog/catalog_client.h): do the
// records an event cites exist, which trials list a product, the products
// themselves, and delivering a product's regulatory stages. gRPC-free.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "services/catalog/catalog_client.h"

namespace regenatlas::timeline {

// The timeline's view of the catalog. Thread-safe when the client is.
class CatalogRefs {
 public:
  explicit CatalogRefs(catalog::CatalogClient* client) : client_(client) {}

  // OK when every name (products/…, organizations/…, trials/…, sources/…)
  // exists. INVALID_ARGUMENT "<fields[i]>: <name> does not exist" for the
  // first missing one (the catalog said NOT_FOUND), or naming fields[i] when
  // the catalog refused the name itself; UNAVAILABLE / DEADLINE_EXCEEDED
  // when the catalog cannot answer.
  absl::Status CheckExist(const std::vector<std::string>& names,
                          const std::vector<std::string>& fields);
  // Every trial that lists `product` (all pages).
  absl::StatusOr<std::vector<catalog::v1::Trial>> TrialsOfProduct(absl::string_view product);
  // Products by name, in order; missing ones are skipped.
  absl::StatusOr<std::vector<catalog::v1::Product>> GetProducts(
      const std::vector<std::string>& names);
  // Replaces a product's regulatory stages in the catalog.
  absl::Status SetRegulatoryStages(absl::string_view product,
                                   const std::vector<catalog::v1::CountryStage>& stages);

 private:
  catalog::CatalogClient* const client_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_CATALOG_REFS_H_
