#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas::catalog {

// Parses a trial-registry or regulator identifier as printed (surrounding
// whitespace ignored, case-insensitive prefix, full-width characters such as
// "ＮＣＴ" and full-width digits accepted) and returns its registry and canonical
// spelling. INVALID_ARGUMENT whose message starts with `field` and says what
// is wrong, e.g. "registry_id: NCT IDs have 8 digits after \"NCT\"; \"NCT0507867\" has 7".
//
// Canonical forms: NCT05068674, jRCT2090220384, jRCTa031190228,
// ChiCTR2000031319, ChiCTR-IOR-17011234, CTR20253094, UMIN000012345,
// ACTRN12617000123456, IRCT20190101012345N1, JMA-IIA00123, 2015-001234-56
// (EudraCT), 2023-501234-12-00 (CTIS), ISRCTN12345678, KCT0001234,
// CTRI/2019/01/017123, CXSL2200194 (CDE: CXSL, CXSB, CXSS, JXSL, JXSB, JXSS,
// CXHL, CXHB, CXHS, CYSB). Dash look-alikes (U+2010..U+2015, U+2212, U+FE63) read as
// '-'; inner whitespace and any other character are errors.
absl::StatusOr<common::v1::RegistryId> ParseRegistryId(absl::string_view text,
                                                       absl::string_view field = "registry_id");

// The resource id of a trial whose primary ID is `id`: lower-cased canonical
// ID with every character outside [a-z0-9-] replaced by '-' (e.g.
// "CTRI/2019/01/017123" -> "ctri-2019-01-017123", "NCT05068674" -> "nct05068674").
std::string TrialIdFor(const common::v1::RegistryId& id);

// Human-readable registry name: "ClinicalTrials.gov", "jRCT", "ChiCTR", ...
// Empty for REGISTRY_UNSPECIFIED and values this build does not know.
absl::string_view RegistryName(common::v1::Registry registry);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_H_
