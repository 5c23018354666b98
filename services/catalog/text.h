#ifndef REGENATLAS_SERVICES_CATALOG_TEXT_H_
#define REGENATLAS_SERVICES_CATALOG_TEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas::catalog {

// Search normalisation: ASCII letters lower-cased, full-width ASCII mapped to
// ASCII, spaces, hyphens and punctuation (ASCII, CJK and general) dropped,
// every other character (CJK, Greek, Roman numerals ...) kept. "HiCM-188",
// "hicm 188" and "ＨｉＣＭ１８８" all become "hicm188"; Chinese has no spaces
// and needs none. Returns UTF-8.
std::string NormalizeForSearch(absl::string_view text);

// The unigrams and bigrams (of code points) of an already normalised text,
// deduplicated. A normalised query of length >= 2 is a substring of a text
// only if all of the query's bigrams are among the text's.
std::vector<std::string> SearchGrams(absl::string_view normalized);

// The grams a query must find: its bigrams, or its single character.
std::vector<std::string> QueryGrams(absl::string_view normalized);

// English and Chinese labels of the enums, used as searchable text ("多巴胺"
// finds dopaminergic progenitors) and in reports.
std::vector<std::string> CellTypeLabels(catalog::v1::CellType type);
std::vector<std::string> CellSourceLabels(catalog::v1::CellSource source);

// Derived category of a cell source.
catalog::v1::CellCategory CategoryOf(catalog::v1::CellSource source);

// Progress rank of a stage: PRECLINICAL 1 … APPROVED 11; WITHDRAWN and
// TERMINATED rank 0 (they never outrank a stage reached).
int StageRank(common::v1::DevelopmentStage stage);

// Short enum names without the type prefix, e.g. "PHASE_2", "HIPSC".
std::string ShortEnumName(const std::string& full, absl::string_view prefix);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_TEXT_H_
