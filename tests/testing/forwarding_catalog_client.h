#ifndef REGENATLAS_TESTS_TESTING_FORWARDING_CATALOG_CLIENT_H_
#define REGENATLAS_TESTS_TESTING_FORWARDING_CATALOG_CLIENT_H_

// A CatalogClient that forwards every call to another one; tests derive
// from it to make one method fail (an outage of one path).

#include <string>
#include <vector>

#include "services/catalog/catalog_client.h"

namespace regenatlas::testing {

class ForwardingCatalogClient : public catalog::CatalogClient {
 public:
  explicit ForwardingCatalogClient(catalog::CatalogClient* real) : real_(real) {}

  absl::StatusOr<catalog::v1::Source> GetSource(absl::string_view name) override {
    return real_->GetSource(name);
  }
  absl::StatusOr<catalog::v1::Organization> GetOrganization(absl::string_view name) override {
    return real_->GetOrganization(name);
  }
  absl::StatusOr<catalog::v1::Product> GetProduct(absl::string_view name) override {
    return real_->GetProduct(name);
  }
  absl::StatusOr<catalog::v1::Trial> GetTrial(absl::string_view name) override {
    return real_->GetTrial(name);
  }
  absl::StatusOr<std::vector<catalog::v1::Source>> BatchGetSources(
      const std::vector<std::string>& names) override {
    return real_->BatchGetSources(names);
  }
  absl::StatusOr<std::vector<catalog::v1::Organization>> BatchGetOrganizations(
      const std::vector<std::string>& names) override {
    return real_->BatchGetOrganizations(names);
  }
  absl::StatusOr<std::vector<catalog::v1::Indication>> BatchGetIndications(
      const std::vector<std::string>& names) override {
    return real_->BatchGetIndications(names);
  }
  absl::StatusOr<std::vector<catalog::v1::Product>> BatchGetProducts(
      const std::vector<std::string>& names) override {
    return real_->BatchGetProducts(names);
  }
  absl::StatusOr<catalog::v1::ListIndicationsResponse> ListIndications(
      const catalog::v1::ListIndicationsRequest& request) override {
    return real_->ListIndications(request);
  }
  absl::StatusOr<catalog::v1::ListProductsResponse> ListProducts(
      const catalog::v1::ListProductsRequest& request) override {
    return real_->ListProducts(request);
  }
  absl::StatusOr<catalog::v1::ListTrialsResponse> ListTrials(
      const catalog::v1::ListTrialsRequest& request) override {
    return real_->ListTrials(request);
  }
  absl::StatusOr<catalog::v1::CountResponse> CountProducts(
      const catalog::v1::CountProductsRequest& request) override {
    return real_->CountProducts(request);
  }
  absl::StatusOr<catalog::v1::CountResponse> CountTrials(
      const catalog::v1::CountTrialsRequest& request) override {
    return real_->CountTrials(request);
  }
  absl::StatusOr<catalog::v1::Product> SetRegulatoryStages(
      const catalog::v1::SetRegulatoryStagesRequest& request) override {
    return real_->SetRegulatoryStages(request);
  }

 private:
  catalog::CatalogClient* const real_;
};

}  // namespace regenatlas::testing

#endif  // REGENATLAS_TESTS_TESTING_FORWARDING_CATALOG_CLIENT_H_
