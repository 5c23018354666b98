// Findings curators record by hand (CuratedFinding in the catalog dataset):
// their validation, the check that each quote is one the dataset's records
// already cite from the same source, and their form as a DataIssue.
#ifndef REGENATLAS_SERVICES_CATALOG_CURATED_FINDINGS_H_
#define REGENATLAS_SERVICES_CATALOG_CURATED_FINDINGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/data_issue.pb.h"

namespace regenatlas::catalog {

// Source name → every quote the records of a dataset cite from it (in any
// citation or claim, at any depth). The seed documents are not part of the
// repository, so a hand-recorded quote is checked against the quotes the
// records carry, which `data/` reviews check against the documents.
class CitedQuotes {
 public:
  // Collects the quotes of `message` and of the messages it holds.
  void Add(const google::protobuf::Message& message);
  // True when `quote` is `source`'s cited quote or part of one (so a finding
  // may quote the phrase of a longer cited passage).
  bool Contains(absl::string_view source, absl::string_view quote) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> by_source_;
};

// Why `finding` cannot be stored, one message per problem ("" none): its
// name is not "findings/{id}", its kind is unset, its record is not a
// "collection/id" resource name, its description is empty, it has no
// citation, or a citation's source is not one of `sources` or its quote is
// empty or not among `quotes`.
std::vector<std::string> CuratedFindingErrors(const catalog::v1::CuratedFinding& finding,
                                              const std::vector<std::string>& sources,
                                              const CitedQuotes& quotes);

// The finding as ListDataIssues serves it: hand_recorded, severity unset
// (the server's, by kind).
common::v1::DataIssue CuratedFindingIssue(const catalog::v1::CuratedFinding& finding);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CURATED_FINDINGS_H_
