#include "cmd/regenatlas/import.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmd/regenatlas/flags.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_import.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

namespace v1 = ::regenatlas::catalog::v1;

constexpr int kMaxUnmatchedShown = 100;

// The files to import, in argument order; a directory contributes its
// *.json files, recursively, in path order.
absl::StatusOr<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(p, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".json") {
          found.push_back(it->path().string());
        }
      }
      if (ec) return absl::InvalidArgumentError(absl::StrCat(p, ": ", ec.message()));
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(p, ": no such file or directory"));
    }
  }
  return files;
}

void PrintSummary(const v1::ImportClinicalTrialsResponse& s, const std::string& data_dir,
                  std::ostream& out) {
  out << "Imported " << s.files() << (s.files() == 1 ? " file" : " files") << ", " << s.records()
      << (s.records() == 1 ? " record" : " records") << " from ClinicalTrials.gov into " << data_dir
      << "\n";
  auto row = [&out](const char* label, int n) { out << absl::StrFormat("  %-22s %d\n", label, n); };
  row("created", s.created());
  row("updated", s.updated());
  row("unchanged", s.unchanged());
  row("new version, no change", s.versions_recorded());
  row("skipped (older)", s.skipped());
  row("rejected", s.rejected());
  row("organizations created", s.organizations_created());
  for (v1::ImportProblemSeverity severity :
       {v1::IMPORT_PROBLEM_SEVERITY_ERROR, v1::IMPORT_PROBLEM_SEVERITY_SKIPPED,
        v1::IMPORT_PROBLEM_SEVERITY_WARNING}) {
    bool header = false;
    for (const v1::ImportProblem& p : s.problems()) {
      if (p.severity() != severity) continue;
      if (!header) {
        out << "\n"
            << (severity == v1::IMPORT_PROBLEM_SEVERITY_ERROR     ? "Rejected:"
                : severity == v1::IMPORT_PROBLEM_SEVERITY_SKIPPED ? "Skipped:"
                                                                  : "Warnings:")
            << "\n";
        header = true;
      }
      out << "  " << p.file() << ": " << p.path() << ": " << p.message();
      if (!p.nct_id().empty()) out << " (" << p.nct_id() << ")";
      out << "\n";
    }
  }
  if (s.unmatched_interventions_size() > 0) {
    out << "\nInterventions that matched no product (" << s.unmatched_interventions_size()
        << "; never created as products):\n";
    int shown = 0;
    for (const v1::UnmatchedIntervention& u : s.unmatched_interventions()) {
      if (shown++ == kMaxUnmatchedShown) {
        out << "  ... and " << s.unmatched_interventions_size() - kMaxUnmatchedShown << " more\n";
        break;
      }
      out << "  \"" << u.name() << "\": " << u.records()
          << (u.records() == 1 ? " record" : " records") << " (first " << u.first_trial() << ")\n";
    }
  }
}

// One status line, rewritten in place at most ten times a second.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, size_t files) : err_(err), files_(files) {}
  void StartFile(size_t index) { index_ = index; }
  void Update(absl::string_view file, int64_t read, int64_t total,
              const v1::ImportClinicalTrialsResponse& s) {
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Milliseconds(100)) return;
    last_ = now;
    const int pct = total > 0 ? static_cast<int>(100 * read / total) : 0;
    std::string name(std::filesystem::path(std::string(file)).filename().string());
    err_ << absl::StrFormat(
                "\r\033[K[%d/%d] %s %3d%% %.1f/%.1f MB  %d records (%d created, %d updated, %d "
                "rejected)",
                index_ + 1, files_, name, pct, read / 1e6, total / 1e6, s.records(), s.created(),
                s.updated(), s.rejected())
         << std::flush;
  }
  void Clear() { err_ << "\r\033[K" << std::flush; }

 private:
  std::ostream& err_;
  const size_t files_;
  size_t index_ = 0;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace

int RunImport(const ImportOptions& options, std::ostream& out, std::ostream& err) {
  if (options.registry != "ctgov") {
    err << "regenatlas import: unknown registry \"" << options.registry << "\"; supported: ctgov\n";
    return 2;
  }
  if (options.paths.empty()) {
    err << "regenatlas import: no FILE or DIR given (see --help)\n";
    return 2;
  }
  bool progress;
  if (options.progress == "auto") {
    progress = isatty(STDERR_FILENO) == 1;
  } else if (options.progress == "true" || options.progress == "false") {
    progress = options.progress == "true";
  } else {
    err << "regenatlas import: --progress: auto, true or false\n";
    return 2;
  }
  absl::StatusOr<std::vector<std::string>> files = ExpandPaths(options.paths);
  if (!files.ok()) {
    err << "regenatlas import: " << files.status().message() << "\n";
    return 2;
  }

  storage::StoreOptions store_options;
  store_options.path = options.data_dir;
  // Bulk import: unsynced writes, made durable by one flush at the end
  // (a crash before it is repaired by importing again).
  store_options.sync_writes = false;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    err << "regenatlas import: cannot open store " << options.data_dir << ": "
        << store.status().message() << " (a running server holds it: stop it first)\n";
    return 1;
  }
  catalog::Catalog catalog(store->get(), catalog::CatalogOptions{});
  if (options.dataset != "none") {
    absl::StatusOr<std::string> digest = catalog.DatasetDigest();
    if (!digest.ok()) {
      err << "regenatlas import: " << digest.status().message() << "\n";
      return 1;
    }
    // Only into a store without a dataset: reloading a changed dataset
    // would replace curated trials, imported fields included (serve does
    // that on its own terms).
    if (digest->empty()) {
      const std::string dir = (std::filesystem::path(options.dataset) / "catalog").string();
      if (!std::filesystem::is_directory(dir)) {
        err << "regenatlas import: dataset not found: " << dir << " (--dataset=none skips it)\n";
        return 1;
      }
      absl::StatusOr<catalog::LoadSummary> loaded = catalog::EnsureCatalogDataset(catalog, dir);
      if (!loaded.ok()) {
        err << "regenatlas import: cannot load dataset: " << loaded.status().message() << "\n";
        return 1;
      }
    }
  }

  ProgressLine line(err, files->size());
  catalog::CtgovImportOptions import_options;
  import_options.record_details = false;
  import_options.sync_writes = false;
  if (progress) {
    import_options.progress = [&line](absl::string_view file, int64_t read, int64_t total,
                                      const v1::ImportClinicalTrialsResponse& s) {
      line.Update(file, read, total, s);
    };
  }
  absl::StatusOr<std::unique_ptr<catalog::CtgovImporter>> importer =
      catalog::CtgovImporter::Create(&catalog, import_options);
  if (!importer.ok()) {
    err << "regenatlas import: " << importer.status().message() << "\n";
    return 1;
  }
  for (size_t i = 0; i < files->size(); ++i) {
    line.StartFile(i);
    absl::Status s = (*importer)->ImportFile((*files)[i]);
    if (!s.ok()) {
      if (progress) line.Clear();
      err << "regenatlas import: " << (*files)[i] << ": store failure: " << s.message() << "\n";
      return 1;
    }
  }
  if (progress) line.Clear();
  absl::Status s = (*importer)->Sync();
  if (s.ok()) s = (*store)->Close();
  if (!s.ok()) {
    err << "regenatlas import: store failure: " << s.message() << "\n";
    return 1;
  }
  const v1::ImportClinicalTrialsResponse& summary = (*importer)->summary();
  PrintSummary(summary, options.data_dir, out);
  const bool errors = std::any_of(
      summary.problems().begin(), summary.problems().end(),
      [](const v1::ImportProblem& p) { return p.severity() == v1::IMPORT_PROBLEM_SEVERITY_ERROR; });
  return errors ? 1 : 0;
}

int ImportCommand(const std::vector<std::string>& args) {
  FlagSet flags(
      "import", "regenatlas import ctgov FILE|DIR ... [flags]",
      "Imports ClinicalTrials.gov API v2 JSON (GET /api/v2/studies/{nctId} files and\n"
      "search pages, full or cut down by fields=) into the catalog of a stopped server's\n"
      "store: trials by NCT ID (or linked to the trial that has one of their registry IDs),\n"
      "sponsors and collaborators (matched to organizations by name or alias, else\n"
      "created), interventions linked to products by name, alias or code (never created).\n"
      "A directory imports its *.json files. Files are streamed one study at a time.\n"
      "Idempotent: importing again changes nothing; a newer version of a record updates\n"
      "the changed fields and records a revision; an older one is skipped. A malformed\n"
      "record is rejected with its JSON path and the import goes on. Prints a summary;\n"
      "exit status 1 when a file or record was rejected. See docs/import.md.");
  flags.Add("data_dir", "regenatlas-data",
            "directory of the RocksDB store (the server using it must be stopped)");
  flags.Add("dataset", "data",
            "reference dataset directory (catalog/ inside), loaded first when the store holds "
            "no dataset yet; \"none\" skips it");
  flags.Add("progress", "auto",
            "progress on stderr: auto (when stderr is a terminal), true, false");
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::cerr << "regenatlas: " << s.message() << "\n";
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  ImportOptions o;
  if (flags.positional().empty()) {
    std::cerr << "regenatlas import: which registry? usage: "
              << "regenatlas import ctgov FILE|DIR ...\n";
    return 2;
  }
  o.registry = flags.positional()[0];
  o.paths.assign(flags.positional().begin() + 1, flags.positional().end());
  o.data_dir = flags.GetString("data_dir");
  o.dataset = flags.GetString("dataset");
  o.progress = flags.GetString("progress");
  return RunImport(o, std::cout, std::cerr);
}

}  // namespace regenatlas::cli
