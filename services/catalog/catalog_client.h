#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_CLIENT_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_CLIENT_H_

// The catalog's API as other services see it: the one client interface every
// consumer (timeline, analytics, gateway) uses, free of gRPC so that domain
// code can depend on it. grpc_catalog_client.h implements it over
// regenatlas.catalog.v1.CatalogService (and CatalogInternalService).
//
// Every call carries CallContext::Current() (common/call_context.h): the
// serving call's deadline, request id and trace context. Statuses are the
// catalog's, mapped by FromBackend (common/client_call.h): NOT_FOUND,
// INVALID_ARGUMENT … unchanged; UNAVAILABLE / DEADLINE_EXCEEDED when the
// catalog cannot answer in time.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/catalog/v1/catalog_internal_service.pb.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"

namespace regenatlas::catalog {

// Reads (and the one peer-only write) of the catalog. Thread-safe.
class CatalogClient {
 public:
  virtual ~CatalogClient() = default;

  virtual absl::StatusOr<v1::Source> GetSource(absl::string_view name) = 0;
  virtual absl::StatusOr<v1::Organization> GetOrganization(absl::string_view name) = 0;
  virtual absl::StatusOr<v1::Product> GetProduct(absl::string_view name) = 0;
  // `name` may also be a registry id ("trials/NCT01234567").
  virtual absl::StatusOr<v1::Trial> GetTrial(absl::string_view name) = 0;

  // Records in request order, read on one snapshot; NOT_FOUND names the
  // first missing one.
  virtual absl::StatusOr<std::vector<v1::Source>> BatchGetSources(
      const std::vector<std::string>& names) = 0;
  virtual absl::StatusOr<std::vector<v1::Organization>> BatchGetOrganizations(
      const std::vector<std::string>& names) = 0;
  virtual absl::StatusOr<std::vector<v1::Indication>> BatchGetIndications(
      const std::vector<std::string>& names) = 0;
  virtual absl::StatusOr<std::vector<v1::Product>> BatchGetProducts(
      const std::vector<std::string>& names) = 0;

  virtual absl::StatusOr<v1::ListIndicationsResponse> ListIndications(
      const v1::ListIndicationsRequest& request) = 0;
  virtual absl::StatusOr<v1::ListProductsResponse> ListProducts(
      const v1::ListProductsRequest& request) = 0;
  virtual absl::StatusOr<v1::ListTrialsResponse> ListTrials(
      const v1::ListTrialsRequest& request) = 0;

  // Grouped counts computed by the catalog from its index.
  virtual absl::StatusOr<v1::CountResponse> CountProducts(
      const v1::CountProductsRequest& request) = 0;
  virtual absl::StatusOr<v1::CountResponse> CountTrials(const v1::CountTrialsRequest& request) = 0;

  // Replaces a product's regulatory stages (CatalogInternalService, which
  // only peers may call).
  virtual absl::StatusOr<v1::Product> SetRegulatoryStages(
      const v1::SetRegulatoryStagesRequest& request) = 0;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_CLIENT_H_
