// The ClinicalTrials.gov importer's internals, behind CtgovImporter
// (ctgov_import.h): the driver (ctgov_importer.cc: files, the parser
// thread's events, per-record rejection, progress, the summary) and the
// application of one study to the catalog (ctgov_apply.cc: the trial it
// updates, versions, organizations, the writes). Internal to the catalog
// domain; include ctgov_import.h instead.
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORTER_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_import.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/ctgov_mapping.h"
#include "services/catalog/ctgov_pipeline.h"
#include "services/catalog/ctgov_study.h"
#include "services/catalog/registry_formats.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

class CtgovImporter::Impl {
 public:
  Impl(Catalog* catalog, CtgovImportOptions options)
      : catalog_(catalog), options_(std::move(options)) {}

  // Reads the organization and product names to match against.
  absl::Status LoadNames();

  absl::Status ImportFile(const std::string& path, ImportRegistry registry);
  absl::Status ImportJson(absl::string_view file_name, absl::string_view json);
  absl::Status ImportContent(absl::string_view file_name, absl::string_view content,
                             ImportRegistry registry, RegistryFileFormat format);
  absl::Status Sync();
  const v1::ImportClinicalTrialsResponse& Summary();

 private:
  // A new organization to create with the trial that references it.
  struct OrgPlan {
    std::string id;
    std::string normalized;
    Organization org;
  };

  // The trial a record applies to, as stored, and what its revisions say.
  struct Target {
    ctgov::StudyIds ids;
    std::string trial_name;
    bool found = false;
    Trial existing;
    // The latest version_date among the revisions.
    std::optional<common::v1::PartialDate> stored_version;
    // Fields an earlier import of the same publisher changed.
    std::set<std::string> from_import;
    // Fields whose last change came from another publisher's import.
    std::set<std::string> other_import;
  };

  // What applying a record produced, before it is written.
  struct Update {
    Source source;
    ctgov::ApplyContext ctx;
    Trial trial;
    std::vector<OrgPlan> plans;
    std::vector<std::string> changed;
    std::vector<std::string> unmatched;
    v1::ImportOutcome outcome = v1::IMPORT_OUTCOME_UNSPECIFIED;
  };

  // ---- The driver (ctgov_importer.cc) ----

  // Imports one file: `read` streams it into the sink it is given, on the
  // parser thread, while this thread applies what it reads, in file order.
  absl::Status ImportStream(const std::string& file, int64_t size, const CtgovReadFunction& read);
  // Whether `registry` takes a file of the `detected` format; when not, the
  // file is counted and rejected, saying what it is.
  bool Accepts(const std::string& file, ImportRegistry registry, const DetectedFormat& detected);
  // Imports the records of a registry file (registry_import.cc), read on
  // this thread one at a time.
  absl::Status ImportRecords(const std::string& file, int64_t size, RegistryReader& reader);
  // Records a file (or the rest of one) that cannot be read: one rejected.
  void RejectFile(const std::string& file, const std::string& path, const std::string& message);

  // Applies one event of the parser thread; an error is a store failure.
  absl::Status OnEvent(const std::string& file, int64_t size, CtgovEvent& event);

  void CountRecord() { summary_.set_records(summary_.records() + 1); }
  void Count(v1::ImportOutcome outcome);
  void CountCellTherapy(const Trial& t) {
    if (t.classification().cell_therapy()) summary_.set_cell_therapy(summary_.cell_therapy() + 1);
  }
  void Problem(v1::ImportProblemSeverity severity, const std::string& file, const std::string& path,
               const std::string& nct_id, const std::string& message);
  void Reject(const std::string& file, const std::string& record_path, const std::string& nct_id,
              const std::string& problem_path, const std::string& message);
  void Result(const std::string& file, const ctgov::Study& s, const std::string& trial,
              v1::ImportOutcome outcome, const std::vector<std::string>& changed,
              const std::string& reason, const std::vector<std::string>& unmatched);

  // ---- One record (ctgov_apply.cc) ----

  // Applies one study: finds its trial, checks versions, maps the record
  // and writes what changed. Problems with the data go to the summary; an
  // error is a store failure.
  absl::Status Apply(const std::string& file, const ctgov::Study& s);
  // The trial with this NCT ID, else one that has another of the record's
  // registry IDs (linked, not duplicated), else a new one.
  absl::StatusOr<Target> FindTarget(const ctgov::Study& s);
  // Skips a record older than the stored version; true when it did.
  bool SkipOlder(const std::string& file, const ctgov::Study& s, const Target& target);
  static ctgov::ApplyContext ContextFor(const std::string& file, const ctgov::Study& s,
                                        const Target& target, const Source& source);
  // The trial as the record leaves it (into `update`, whose source and
  // context are set), the organizations to create and the outcome.
  absl::Status MapRecord(const std::string& file, const ctgov::Study& s, const Target& target,
                         Update& update, std::vector<ctgov::Warning>& warnings);
  // Sponsor and collaborators, matched or planned.
  absl::Status ApplyOrganizations(const std::string& file, const ctgov::Study& s,
                                  const ctgov::ApplyContext& ctx, Trial& t,
                                  std::vector<OrgPlan>& plans);
  // Adds the citation and the revision of an applied record.
  void AddRevision(const std::string& file, const ctgov::Study& s, Update& update);
  // Writes the source, the new organizations and the trial; a record whose
  // trial is refused (validation) is rejected and what it created removed.
  absl::Status Write(const std::string& file, const ctgov::Study& s, const Target& target,
                     Update& update);

  static std::set<std::string> NamesOf(const Organization& o);
  void AddOrgNames(const Organization& o);
  // The organization named `party`: an existing one whose display name or
  // alias matches, one planned for this record, or a new plan.
  absl::StatusOr<std::string> ResolveOrg(const ctgov::Party& party, const std::string& file,
                                         const common::v1::SourceCitation& citation,
                                         std::vector<OrgPlan>& plans);
  // The trial that owns registry ID `id`, if any.
  absl::StatusOr<std::optional<std::string>> OwnerOf(const std::string& id);

  Catalog* const catalog_;
  const CtgovImportOptions options_;
  // NormalizeForSearch(name or alias) → "organizations/{id}".
  std::map<std::string, std::string> org_by_name_;
  ctgov::ProductNames products_by_name_;
  v1::ImportClinicalTrialsResponse summary_;
  std::map<std::string, int> unmatched_index_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORTER_H_
