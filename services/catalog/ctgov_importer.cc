// The import driver: CtgovImporter's public face, files told apart by
// format (registry files go to registry_import.cc), files and in-memory
// JSON streamed through the parser pipeline, per-record
// rejection, progress and the summary. One record at a time is applied by
// ctgov_apply.cc.
#include "services/catalog/ctgov_importer.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "services/catalog/byte_source.h"
#include "services/catalog/ctgov_csv.h"
#include "services/catalog/ictrp_csv.h"
#include "services/catalog/ictrp_xml.h"
#include "services/catalog/registry_formats.h"
#include "services/catalog/text.h"

namespace regenatlas::catalog {
namespace {

// The formats read by a RegistryReader rather than the JSON pipeline.
bool IsRegistryReaderFormat(RegistryFileFormat f) {
  return f == RegistryFileFormat::kIctrpXml || f == RegistryFileFormat::kIctrpCsv ||
         f == RegistryFileFormat::kCtgovCsv;
}

// Imports in one process run one at a time: each record is a
// read-modify-write of a trial and of the importer's name indexes.
ABSL_CONST_INIT absl::Mutex g_import_mu(absl::kConstInit);

}  // namespace

absl::Status CtgovImporter::Impl::LoadNames() {
  RETURN_IF_ERROR(catalog_->organizations().ScanAll(
      nullptr, [this](absl::string_view id, absl::string_view bytes) {
        Organization o;
        if (!o.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
        AddOrgNames(o);
        return true;
      }));
  return catalog_->products().ScanAll(
      nullptr, [this](absl::string_view id, absl::string_view bytes) {
        Product p;
        if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
        std::set<std::string> names = {NormalizeForSearch(p.display_name())};
        for (const auto& n : p.names()) names.insert(NormalizeForSearch(n.text()));
        for (const std::string& n : names) {
          // Very short names ("NK") would link unrelated interventions.
          if (n.size() >= 3) products_by_name_[n].push_back(p.name());
        }
        return true;
      });
}

bool CtgovImporter::Impl::Accepts(const std::string& file, ImportRegistry registry,
                                  const DetectedFormat& detected) {
  const RegistryFileFormat format = detected.format;
  const bool ictrp =
      format == RegistryFileFormat::kIctrpXml || format == RegistryFileFormat::kIctrpCsv;
  // What is neither goes to the JSON reader, whose message says where it
  // stopped making sense, unless only ICTRP files are wanted.
  if (registry == ImportRegistry::kIctrp ? ictrp : !ictrp || registry == ImportRegistry::kAny) {
    return true;
  }
  absl::MutexLock lock(&g_import_mu);
  summary_.set_files(summary_.files() + 1);
  RejectFile(
      file, "",
      format == RegistryFileFormat::kUnknown
          ? absl::StrCat("not a registry file this build reads: ", detected.reason)
          : absl::StrCat(RegistryFileFormatName(format), " (", detected.reason, "), not ",
                         registry == ImportRegistry::kCtgov ? "ClinicalTrials.gov JSON or CSV"
                                                            : "a WHO ICTRP export (XML or CSV)"));
  return false;
}

absl::Status CtgovImporter::Impl::ImportFile(const std::string& path, ImportRegistry registry) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  // A file that cannot be read goes to the JSON reader, which reports it.
  absl::StatusOr<DetectedFormat> detected = DetectRegistryFileFormat(path);
  if (detected.ok()) {
    if (!Accepts(path, registry, *detected)) return absl::OkStatus();
    if (IsRegistryReaderFormat(detected->format)) {
      absl::StatusOr<std::unique_ptr<RegistryReader>> reader = OpenRegistryFile(path);
      absl::MutexLock lock(&g_import_mu);
      if (!reader.ok()) {
        summary_.set_files(summary_.files() + 1);
        RejectFile(path, "", std::string(reader.status().message()));
        return absl::OkStatus();
      }
      return ImportRecords(path, ec ? 0 : static_cast<int64_t>(size), **reader);
    }
  }
  return ImportStream(path, ec ? 0 : static_cast<int64_t>(size),
                      [&path](CtgovJsonSink& sink) { return ReadCtgovFile(path, sink); });
}

absl::Status CtgovImporter::Impl::ImportContent(absl::string_view file_name,
                                                absl::string_view content, ImportRegistry registry,
                                                RegistryFileFormat format) {
  const std::string file(file_name);
  const DetectedFormat detected = format != RegistryFileFormat::kUnknown
                                      ? DetectedFormat{format, "the format requested"}
                                      : DetectRegistryFormat(content.substr(0, 64 << 10), file);
  if (!Accepts(file, registry, detected)) return absl::OkStatus();
  std::unique_ptr<RegistryReader> reader;
  switch (detected.format) {
    case RegistryFileFormat::kIctrpXml:
      reader = NewIctrpXmlReader(MemorySource(content), file);
      break;
    case RegistryFileFormat::kIctrpCsv:
      reader = NewIctrpCsvReader(MemorySource(content), file);
      break;
    case RegistryFileFormat::kCtgovCsv:
      reader = NewCtgovCsvReader(MemorySource(content), file);
      break;
    default:
      return ImportJson(file_name, content);
  }
  absl::MutexLock lock(&g_import_mu);
  return ImportRecords(file, static_cast<int64_t>(content.size()), *reader);
}

absl::Status CtgovImporter::Impl::ImportJson(absl::string_view file_name, absl::string_view json) {
  return ImportStream(std::string(file_name), static_cast<int64_t>(json.size()),
                      [json](CtgovJsonSink& sink) { return ReadCtgovJson(json, sink); });
}

absl::Status CtgovImporter::Impl::ImportStream(const std::string& file, int64_t size,
                                               const CtgovReadFunction& read) {
  absl::MutexLock lock(&g_import_mu);
  summary_.set_files(summary_.files() + 1);
  CtgovPipelineOptions pipeline;
  // Classifying reads only the record: done on the parser thread, which is
  // otherwise mostly idle while this thread writes.
  pipeline.prepare = [classifier = catalog_->trial_classifier()](ctgov::Study& s) {
    if (classifier != nullptr && s.text.has_value()) s.classified = classifier->Classify(*s.text);
  };
  ASSIGN_OR_RETURN(
      CtgovFileInfo info,
      RunCtgovPipeline(
          read, [&](CtgovEvent& event) { return OnEvent(file, size, event); }, pipeline));
  if (info.total_count.has_value()) {
    summary_.set_total_count(static_cast<int32_t>(*info.total_count));
  }
  return absl::OkStatus();
}

absl::Status CtgovImporter::Impl::OnEvent(const std::string& file, int64_t size,
                                          CtgovEvent& event) {
  switch (event.kind) {
    case CtgovEvent::Kind::kStudy: {
      CountRecord();
      ctgov::ParsedStudy& parsed = event.study;
      if (parsed.study.has_value()) return Apply(file, *parsed.study);
      const ctgov::StudyRejection& r = *parsed.rejection;
      Reject(file, parsed.path, r.nct_id, r.problem_path, r.message);
      return absl::OkStatus();
    }
    case CtgovEvent::Kind::kBadRecord:
      CountRecord();
      Reject(file, event.record_path, event.nct_id, event.problem_path, event.message);
      return absl::OkStatus();
    case CtgovEvent::Kind::kFileProblem:
      // An error ends the file: what was not read counts as one rejected.
      if (event.error) summary_.set_rejected(summary_.rejected() + 1);
      Problem(event.error ? v1::IMPORT_PROBLEM_SEVERITY_ERROR : v1::IMPORT_PROBLEM_SEVERITY_WARNING,
              file, event.problem_path, "", event.message);
      return absl::OkStatus();
    case CtgovEvent::Kind::kProgress:
      if (options_.progress) options_.progress(file, event.bytes_read, size, summary_);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status CtgovImporter::Impl::Sync() { return catalog_->trials().store()->Flush(); }

const v1::ImportClinicalTrialsResponse& CtgovImporter::Impl::Summary() {
  auto* list = summary_.mutable_unmatched_interventions();
  std::stable_sort(list->begin(), list->end(), [](const auto& a, const auto& b) {
    return a.records() != b.records() ? a.records() > b.records() : a.name() < b.name();
  });
  unmatched_index_.clear();
  for (int i = 0; i < list->size(); ++i) unmatched_index_[(*list)[i].name()] = i;
  return summary_;
}

void CtgovImporter::Impl::Count(v1::ImportOutcome outcome) {
  switch (outcome) {
    case v1::IMPORT_OUTCOME_CREATED:
      summary_.set_created(summary_.created() + 1);
      break;
    case v1::IMPORT_OUTCOME_UPDATED:
      summary_.set_updated(summary_.updated() + 1);
      break;
    case v1::IMPORT_OUTCOME_VERSION_RECORDED:
      summary_.set_versions_recorded(summary_.versions_recorded() + 1);
      break;
    default:
      summary_.set_unchanged(summary_.unchanged() + 1);
      break;
  }
}

void CtgovImporter::Impl::Problem(v1::ImportProblemSeverity severity, const std::string& file,
                                  const std::string& path, const std::string& nct_id,
                                  const std::string& message) {
  v1::ImportProblem* p = summary_.add_problems();
  p->set_severity(severity);
  p->set_file(file);
  p->set_path(path);
  p->set_message(message);
  p->set_nct_id(nct_id);
}

void CtgovImporter::Impl::Reject(const std::string& file, const std::string& record_path,
                                 const std::string& nct_id, const std::string& problem_path,
                                 const std::string& message) {
  summary_.set_rejected(summary_.rejected() + 1);
  Problem(v1::IMPORT_PROBLEM_SEVERITY_ERROR, file, problem_path, nct_id, message);
  if (!options_.record_details) return;
  v1::ImportedRecord* r = summary_.add_results();
  r->set_file(file);
  r->set_path(record_path);
  r->set_nct_id(nct_id);
  r->set_outcome(v1::IMPORT_OUTCOME_REJECTED);
  r->set_reason(absl::StrCat(problem_path, ": ", message));
}

void CtgovImporter::Impl::RejectFile(const std::string& file, const std::string& path,
                                     const std::string& message) {
  summary_.set_rejected(summary_.rejected() + 1);
  Problem(v1::IMPORT_PROBLEM_SEVERITY_ERROR, file, path, "", message);
}

void CtgovImporter::Impl::Result(const std::string& file, const ctgov::Study& s,
                                 const std::string& trial, v1::ImportOutcome outcome,
                                 const std::vector<std::string>& changed, const std::string& reason,
                                 const std::vector<std::string>& unmatched) {
  for (const std::string& name : unmatched) {
    auto [it, inserted] = unmatched_index_.emplace(name, summary_.unmatched_interventions_size());
    if (inserted) {
      v1::UnmatchedIntervention* u = summary_.add_unmatched_interventions();
      u->set_name(name);
      u->set_first_trial(trial);
    }
    v1::UnmatchedIntervention* u = summary_.mutable_unmatched_interventions(it->second);
    u->set_records(u->records() + 1);
  }
  if (!options_.record_details) return;
  v1::ImportedRecord* r = summary_.add_results();
  r->set_file(file);
  r->set_path(s.path);
  r->set_nct_id(s.nct_id);
  r->set_trial(trial);
  r->set_outcome(outcome);
  for (const std::string& f : changed) r->add_changed_fields(f);
  r->set_reason(reason);
  for (const std::string& u : unmatched) r->add_unmatched_interventions(u);
}

// ---- CtgovImporter ------------------------------------------------------------

CtgovImporter::CtgovImporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CtgovImporter::~CtgovImporter() = default;

absl::StatusOr<std::unique_ptr<CtgovImporter>> CtgovImporter::Create(Catalog* catalog,
                                                                     CtgovImportOptions options) {
  auto impl = std::make_unique<Impl>(catalog, std::move(options));
  RETURN_IF_ERROR(impl->LoadNames());
  return std::unique_ptr<CtgovImporter>(new CtgovImporter(std::move(impl)));
}

absl::Status CtgovImporter::ImportFile(const std::string& path, ImportRegistry registry) {
  return impl_->ImportFile(path, registry);
}

absl::Status CtgovImporter::ImportJson(absl::string_view file_name, absl::string_view json) {
  return impl_->ImportJson(file_name, json);
}

absl::Status CtgovImporter::ImportContent(absl::string_view file_name, absl::string_view content,
                                          ImportRegistry registry, RegistryFileFormat format) {
  return impl_->ImportContent(file_name, content, registry, format);
}

absl::Status CtgovImporter::Sync() { return impl_->Sync(); }

const v1::ImportClinicalTrialsResponse& CtgovImporter::summary() { return impl_->Summary(); }

}  // namespace regenatlas::catalog
