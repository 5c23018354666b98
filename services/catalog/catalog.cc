#include "services/catalog/catalog.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"

namespace regenatlas::catalog {
namespace {

ResourceTableOptions TableOptions(const CatalogOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = storage::ColumnFamily::kCatalog;
  t.index_cf = storage::ColumnFamily::kCatalogIndex;
  t.change_stream = std::string(Catalog::kChangeStream);
  t.clock = options.clock;
  return t;
}

}  // namespace

Catalog::Catalog(storage::Store* store, CatalogOptions options)
    : sources_(store, &write_mu_, TableOptions(options, "sources"), &Catalog::ValidateSource) {}

absl::Status Catalog::ValidateSource(const Source& source) {
  if (source.title().empty()) return absl::InvalidArgumentError("source.title: required");
  if (source.kind() == catalog::v1::SOURCE_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("source.kind: required");
  }
  if (!catalog::v1::SourceKind_IsValid(source.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("source.kind: unknown value ", static_cast<int>(source.kind())));
  }
  return ValidatePartialDate(source.publication_date(), "source.publication_date");
}

}  // namespace regenatlas::catalog
