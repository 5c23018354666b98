// The import of registry files other than ClinicalTrials.gov JSON (WHO
// ICTRP XML and CSV, ClinicalTrials.gov CSV): CtgovImporter::Impl reads
// their records one at a time on the calling thread (the readers stream, so
// memory stays flat), turns each into a study (registry_study.h) and
// applies it like a JSON study (ctgov_apply.cc).
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/catalog/ctgov_importer.h"
#include "services/catalog/registry_study.h"

namespace regenatlas::catalog {

absl::Status CtgovImporter::Impl::ImportRecords(const std::string& file, int64_t size,
                                                RegistryReader& reader) {
  summary_.set_files(summary_.files() + 1);
  while (std::optional<RegistryItem> item = reader.Next()) {
    if (const RegistryRecord* record = std::get_if<RegistryRecord>(&*item)) {
      CountRecord();
      RETURN_IF_ERROR(Apply(file, StudyFromRegistryRecord(*record)));
    } else {
      const RecordError& e = std::get<RecordError>(*item);
      RecordLocation where = e.location;
      where.file.clear();
      const std::string path =
          e.field.empty() ? where.Describe() : absl::StrCat(where.Describe(), ", field ", e.field);
      if (e.fatal) {
        // Nothing after it can be read: the rest of the file is rejected.
        RejectFile(file, path, e.message);
      } else {
        CountRecord();
        Reject(file, where.Describe(), e.primary_id, path, e.message);
      }
    }
    if (options_.progress) options_.progress(file, reader.bytes_read(), size, summary_);
  }
  return absl::OkStatus();
}

}  // namespace regenatlas::catalog
