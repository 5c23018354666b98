// A registry record's classification (classification.h) as a Trial's
// `classification` field: values in the catalog's enums, every rule match
// kept as evidence, and the rule for when an import may replace what is
// stored (never a curator's, see ApplyClassification).
#ifndef REGENATLAS_SERVICES_CATALOG_TRIAL_CLASSIFICATION_H_
#define REGENATLAS_SERVICES_CATALOG_TRIAL_CLASSIFICATION_H_

#include <string>

#include "regenatlas/catalog/v1/resources.pb.h"
#include "services/catalog/classification.h"
#include "services/catalog/ctgov_study.h"

namespace regenatlas::catalog {

// The classifier's result in the Trial's form, origin DERIVED, read from the
// record cited by `source` ("sources/...").
v1::TrialClassification ToTrialClassification(const classification::Classification& c,
                                              const std::string& source);

// Derives `t.classification` from the record's text (`s.text`) with
// `classifier`, and returns whether it did. Left alone: without a
// classifier or text (a record cut down by `fields=`), a curator's
// classification, and a derived one from another registry's record unless
// that one found no cell therapy and this one finds one (the richer text
// wins; the same registry's newer record always replaces its own).
bool ApplyClassification(const ctgov::Study& s, const classification::Classifier* classifier,
                         const std::string& source, v1::Trial& t);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_TRIAL_CLASSIFICATION_H_
