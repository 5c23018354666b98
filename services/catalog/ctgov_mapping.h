// The mapping of a ClinicalTrials.gov study onto a catalog Trial: registry
// IDs and aliases, title, phases, statuses, dates at their printed
// precision, enrollment, conditions, countries and product matching, with
// the rules for curated trials (claims, merged lists) and unversioned
// records (fill in only). No store access: what the mapping needs from the
// catalog comes in as arguments.
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_MAPPING_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_MAPPING_H_

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/common/v1/common.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_study.h"

namespace regenatlas::catalog {

// The mapping of ClinicalTrials.gov `designModule.phases` to a stage: one
// phase or the adjacent pairs PHASE1+PHASE2 and PHASE2+PHASE3; PHASE4 and
// NA have no stage (unspecified, phase_text keeps them). `unknown` lists
// values that are not ClinicalTrials.gov phases (the stage is then
// unspecified); `unusual` is set for a known but unmapped combination.
struct CtgovPhase {
  common::v1::DevelopmentStage stage = common::v1::DEVELOPMENT_STAGE_UNSPECIFIED;
  // As printed, joined with "/": "PHASE1/PHASE2".
  std::string text;
  std::vector<std::string> unknown;
  bool unusual = false;
};
CtgovPhase MapCtgovPhases(const std::vector<std::string>& phases);

// `statusModule.overallStatus` to TrialStatus; false for values without a
// trial status (expanded-access statuses) or unknown ones.
bool MapCtgovStatus(absl::string_view status, v1::TrialStatus* out);

// The id of the Source for one version of a record:
// "ctgov-nct02552212-2023-12-12", or "ctgov-nct02552212" when the file
// carries no version date.
std::string CtgovSourceId(absl::string_view nct_id, const common::v1::PartialDate& version);

namespace ctgov {

// The id of the Source for a record: CtgovSourceId for ClinicalTrials.gov,
// "ictrp-chictr2000029953" for a record of the WHO ICTRP export.
std::string RecordSourceId(const Study& s);

// Whether a citation's source is a ClinicalTrials.gov record version.
bool IsCtgovSource(absl::string_view source);
// Whether a citation's source is a record that `publisher` published.
bool IsSourceOf(Publisher publisher, absl::string_view source);

// Lower-case ASCII slug of a name for a resource id: accents folded,
// everything else outside [a-z0-9] a single '-'; at most 63 chars, cut at a
// hyphen when possible.
std::string Slug(absl::string_view name);

// The organization kind a registry class states (INDUSTRY, NIH ...).
v1::OrganizationKind KindOfClass(absl::string_view cls);

// Top-level fields of the trial that differ, without bookkeeping fields.
std::vector<std::string> DataFieldsChanged(const Trial& before, const Trial& after);

// The Source that stands for one version of a record, named `name` (for
// WHO ICTRP records, the record as the portal exported it).
Source CtgovSource(const Study& s, const common::v1::PartialDate& version, std::string name);

// The record's registry IDs: its NCT ID, the other IDs that parse as
// registry IDs (with the entry that states them) and those that do not.
struct StudyIds {
  common::v1::RegistryId nct;
  std::vector<std::pair<common::v1::RegistryId, const OtherId*>> registry_ids;
  std::vector<const OtherId*> unparsed;
};
StudyIds ClassifyIds(const Study& s);

// What applying a record to a trial needs to know.
struct ApplyContext {
  // Who published the record; citations of other publishers are
  // statements to weigh (claims), not earlier versions of the record.
  Publisher publisher = Publisher::kCtgov;
  // The trial has citations of other sources (curated data): scalar
  // disagreements become claims, lists are merged, not replaced.
  bool curated = false;
  // An unversioned record over a trial holding a versioned import: fill
  // in what is missing only.
  bool fill_only = false;
  // Fields an earlier import changed (their values come from the registry).
  std::set<std::string> from_import;
  // Fields whose stored value another registry's import set last: a
  // different value is kept as a claim beside it, never written over it,
  // so that one trial across registries does not depend on import order
  // after the first.
  std::set<std::string> other_import;
  std::optional<common::v1::SourceCitation> curated_citation;
  common::v1::SourceCitation citation;
};

// The trial that owns a registry ID, if any.
using OwnerLookup =
    std::function<absl::StatusOr<std::optional<std::string>>(const std::string& id)>;

// Registry IDs, aliases and malformed IDs: only ever added; an ID that
// another trial holds stays an alias (warning). Fails only when `owner_of`
// does.
absl::Status ApplyIdentifiers(const StudyIds& ids, const std::string& trial_name,
                              const OwnerLookup& owner_of, Trial& t,
                              std::vector<Warning>& warnings);

// Title, phases, status, dates, enrollment, conditions and countries.
void ApplyStatedFields(const Study& s, const ApplyContext& ctx, Trial& t,
                       std::vector<Warning>& warnings);

// Whether to write a scalar field the record states as `new_text`; on
// curated trials, records the registry's statement (and the curated value
// it replaces) as claims so that disagreements stay visible.
bool ShouldSet(Trial& t, const ApplyContext& ctx, absl::string_view field, bool stored_set,
               const std::string& stored_text, const std::string& new_text);

// Lists: replaced on registry-only trials, merged into curated ones.
void ApplyList(const ApplyContext& ctx, google::protobuf::RepeatedPtrField<std::string>* stored,
               const std::vector<std::string>& values);

// The non-empty values of `in`, first occurrences in order.
std::vector<std::string> Unique(const std::vector<std::string>& in);

// NormalizeForSearch(display name, name, alias or code) → "products/{id}".
using ProductNames = std::map<std::string, std::vector<std::string>>;

// Links the products the record's interventions name (by name or other
// name); returns the intervention names that matched none, first
// occurrences in order. Products are never created.
std::vector<std::string> LinkProducts(const Study& s, const ProductNames& products, Trial& t);

template <typename Repeated>
bool Contains(const Repeated& r, const std::string& v) {
  return std::find(r.begin(), r.end(), v) != r.end();
}

}  // namespace ctgov
}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_MAPPING_H_
