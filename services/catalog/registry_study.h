// The bridge from the registry-file readers to the importer: a
// RegistryRecord (WHO ICTRP XML or CSV, ClinicalTrials.gov CSV) restated as
// the importer's study model, so that every format is applied to the
// catalog by the same steps (ctgov_apply.cc, ctgov_mapping.h). Pure: no
// catalog or store access.
#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_STUDY_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_STUDY_H_

#include "services/catalog/ctgov_study.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// The study a record states. Its path is the record's place in the file
// ("Trial #3 (line 120)", "row 5 (line 7)"); warnings carry the reader's
// notes with their field. ClinicalTrials.gov CSV values in the API's
// vocabulary (phases "PHASE1|PHASE2", statuses "RECRUITING") are read as
// the JSON importer reads them, so both forms of a study give the same
// trial; other phases and statuses keep their printed text. Unset fields
// (no countries, no conditions printed) are absent, never empty lists.
ctgov::Study StudyFromRegistryRecord(const RegistryRecord& r);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_STUDY_H_
