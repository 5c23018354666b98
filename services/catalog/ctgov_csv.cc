// The ClinicalTrials.gov CSV reader (ctgov_csv.h): which column feeds which
// part of the neutral record.

#include "services/catalog/ctgov_csv.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_csv_reader.h"
#include "services/catalog/registry_values.h"

namespace regenatlas::catalog {
namespace {

constexpr absl::string_view kIdColumn = "NCT Number";

class CtgovCsvReader : public RegistryCsvReader {
 public:
  CtgovCsvReader(std::unique_ptr<ByteSource> source, std::string file, CsvOptions options)
      : RegistryCsvReader(std::move(source), std::move(file), options, std::string(kIdColumn),
                          "ClinicalTrials.gov CSV download") {}

 protected:
  RegistryItem MapRow(const CsvRow& row, const RecordLocation& location) override {
    const std::string printed_id = CleanText(Cell(row, kIdColumn));
    auto error = [&](absl::string_view column, std::string message) {
      RecordError e;
      e.location = location;
      e.field = PrintableUtf8(column);
      e.primary_id = IsValidUtf8(printed_id) ? printed_id : "";
      e.message = std::move(message);
      return e;
    };
    for (size_t i = 0; i < row.fields.size(); ++i) {
      if (!IsValidUtf8(row.fields[i])) return error(header().name(i), "not valid UTF-8");
    }
    if (printed_id.empty()) return error(kIdColumn, "empty; every study needs its NCT number");

    RegistryRecord r;
    r.location = location;
    r.format = RegistryFileFormat::kCtgovCsv;
    r.source_register = "ClinicalTrials.gov";
    r.primary_id = ReadRegistryId(printed_id, /*in_label=*/false);
    if (!r.primary_id.problem.empty()) return error(kIdColumn, r.primary_id.problem);
    if (r.primary_id.id.registry() != common::v1::REGISTRY_NCT) {
      return error(kIdColumn, absl::StrCat("\"", printed_id, "\" is not an NCT number"));
    }
    r.source_registry = common::v1::REGISTRY_NCT;
    auto note = [&r](absl::string_view column, std::string message) {
      // Notes quote printed values, which may hold bytes that are not UTF-8.
      r.notes.push_back({std::string(column), PrintableUtf8(message)});
    };

    r.public_title = CleanText(Cell(row, "Study Title"));
    r.acronym = CleanText(Cell(row, "Acronym"));
    r.url = CleanText(Cell(row, "Study URL"));
    r.study_type = CleanText(Cell(row, "Study Type"));
    r.primary_sponsor = CleanText(Cell(row, "Sponsor"));
    r.secondary_sponsors = SplitList(Cell(row, "Collaborators"), "|");
    for (const std::string& item : SplitList(Cell(row, "Other IDs"), "|")) {
      PrintedRegistryId id = ReadRegistryId(item);
      if (id.id.id() == r.primary_id.id.id()) continue;  // The study's own number.
      r.secondary_ids.push_back(std::move(id));
    }
    for (const auto& [column, date] :
         {std::pair{"First Posted", &r.registration_date}, std::pair{"Start Date", &r.start_date},
          std::pair{"Completion Date", &r.completion_date}}) {
      absl::StatusOr<PrintedDate> d = ParseRegistryDate(Cell(row, column));
      if (!d.ok()) return error(column, std::string(d.status().message()));
      *date = *std::move(d);
    }
    r.status = NormalizeStatus(Cell(row, "Study Status"));
    if (!r.status.known && !r.status.printed.empty()) {
      note("Study Status", absl::StrCat("unknown status \"", r.status.printed, "\""));
    }
    r.phase = NormalizePhase(Cell(row, "Phases"));
    if (!r.phase.known && !r.phase.printed.empty()) {
      note("Phases",
           absl::StrCat("phase \"", r.phase.printed, "\" is not normalised; kept as printed"));
    }
    // "Facility, City, State, Zip, Country" per location; the country last,
    // itself possibly with a comma ("Korea, Republic of").
    std::vector<std::string> names;
    for (const std::string& location_text : SplitList(Cell(row, "Locations"), "|")) {
      const std::vector<absl::string_view> parts = absl::StrSplit(location_text, ',');
      std::string country = CleanText(parts.back());
      if (parts.size() >= 2) {
        std::string two = absl::StrCat(CleanText(parts[parts.size() - 2]), ", ", country);
        if (CountryCodeForName(two).has_value()) country = std::move(two);
      }
      names.push_back(std::move(country));
    }
    r.countries = MapCountries(names);
    for (const PrintedCountry& c : r.countries) {
      if (c.code.empty()) note("Locations", absl::StrCat("unknown country \"", c.printed, "\""));
    }
    r.conditions = SplitList(Cell(row, "Conditions"), "|");
    for (const std::string& item : SplitList(Cell(row, "Interventions"), "|")) {
      r.interventions.push_back(SplitInterventionType(item));
    }
    r.target_size_printed = CleanText(Cell(row, "Enrollment"));
    r.target_size = ParseTargetSize(r.target_size_printed);
    if (!r.target_size.has_value() && !r.target_size_printed.empty()) {
      note("Enrollment", absl::StrCat("\"", r.target_size_printed, "\" is not a number"));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<RegistryReader> NewCtgovCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, CsvOptions options) {
  return std::make_unique<CtgovCsvReader>(std::move(source), std::move(file), options);
}

}  // namespace regenatlas::catalog
