// libFuzzer target for the CSV tokenizer (services/catalog/csv.h) and the
// two registry CSV readers on it (ictrp_csv.h, ctgov_csv.h), plus the value
// normalisers they call (registry_values.h) on the raw input. The first
// input byte picks the chunk size; the rest is the file, read by all three.
// Besides crashes it aborts when the tokenizer's row numbers or lines go
// back, a row comes after a fatal error, or a reader breaks its contract
// (registry_fuzz_checks.h).

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/dates.h"
#include "services/catalog/byte_source.h"
#include "services/catalog/csv.h"
#include "services/catalog/ctgov_csv.h"
#include "services/catalog/ictrp_csv.h"
#include "services/catalog/registry_values.h"
#include "tests/fuzz/registry_fuzz_checks.h"

// libFuzzer entry point: one CSV file per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regenatlas::catalog;  // NOLINT(build/namespaces): a fuzzer's entry point.
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const absl::string_view csv(reinterpret_cast<const char*>(data) + 1, size - 1);
  CsvOptions options;
  options.max_record_bytes = 4096;

  {
    std::unique_ptr<ByteSource> source = MemorySource(csv, chunk);
    CsvReader reader(source.get(), options);
    CsvRow row;
    int64_t number = 0, line = 0;
    bool fatal = false;
    while (reader.Next(&row)) {
      if (fatal) fuzz::Fail("row after a fatal error", row.error);
      if (row.number <= number || row.line < line) fuzz::Fail("row numbers went back", "");
      number = row.number;
      line = row.line;
      fatal = row.fatal;
    }
  }
  for (bool ictrp : {true, false}) {
    std::unique_ptr<RegistryReader> reader =
        ictrp ? NewIctrpCsvReader(MemorySource(csv, chunk), "fuzz.csv", options)
              : NewCtgovCsvReader(MemorySource(csv, chunk), "fuzz.csv", options);
    fuzz::DrainAndCheck(*reader, csv.size());
  }

  // The normalisers on raw (possibly non-UTF-8) text: no crash, and a date
  // they accept is valid.
  const absl::string_view head = csv.substr(0, 64);
  absl::StatusOr<PrintedDate> date = ParseRegistryDate(head);
  if (date.ok() && !regenatlas::ValidatePartialDate(date->date, "date").ok()) {
    fuzz::Fail("accepted an invalid date", std::string(head));
  }
  (void)NormalizePhase(head);
  (void)NormalizeStatus(head);
  (void)ParseTargetSize(head);
  (void)ReadRegistryId(head);
  return 0;
}
