#ifndef REGENATLAS_TESTS_FUZZ_REGISTRY_FUZZ_CHECKS_H_
#define REGENATLAS_TESTS_FUZZ_REGISTRY_FUZZ_CHECKS_H_

// The contract checks the registry-file fuzzers (ictrp_xml_fuzzer,
// registry_csv_fuzzer) apply to everything a RegistryReader yields.

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <variant>

#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog::fuzz {

[[noreturn]] inline void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}

inline void CheckText(const std::string& text, const char* what) {
  if (!IsValidUtf8(text)) Fail("not UTF-8", what);
}

// Reads everything: records have a recognised primary ID and UTF-8 text,
// locations increase, errors say something, a fatal error is the last item,
// and the reader never reports more bytes than `size`.
inline void DrainAndCheck(RegistryReader& reader, size_t size) {
  int64_t last_index = 0;
  bool fatal_seen = false;
  while (std::optional<RegistryItem> item = reader.Next()) {
    if (fatal_seen) Fail("item after a fatal error", "");
    if (reader.bytes_read() > static_cast<int64_t>(size)) Fail("read past the end", "");
    if (const auto* r = std::get_if<RegistryRecord>(&*item)) {
      if (r->location.index <= last_index) Fail("record index did not increase", "");
      last_index = r->location.index;
      if (r->primary_id.id.id().empty() || RegistryName(r->source_registry).empty()) {
        Fail("record without a recognised primary ID", r->primary_id.printed);
      }
      CheckText(r->primary_id.printed, "primary_id");
      CheckText(r->public_title, "public_title");
      CheckText(r->scientific_title, "scientific_title");
      CheckText(r->primary_sponsor, "primary_sponsor");
      CheckText(r->phase.printed, "phase");
      CheckText(r->status.printed, "status");
      for (const PrintedCountry& c : r->countries) CheckText(c.printed, "country");
      for (const std::string& c : r->conditions) CheckText(c, "condition");
      for (const RegistryIntervention& i : r->interventions) CheckText(i.name, "intervention");
      for (const PrintedRegistryId& id : r->secondary_ids) {
        CheckText(id.printed, "secondary id");
        CheckText(id.problem, "secondary id problem");
      }
      for (const FieldNote& n : r->notes) CheckText(n.message, "note");
      if (r->target_size.has_value() && *r->target_size < 0) Fail("negative target size", "");
    } else {
      const RecordError& e = std::get<RecordError>(*item);
      if (e.message.empty()) Fail("error without a message", e.Describe());
      CheckText(e.Describe(), "error");
      if (e.location.index > 0) {
        if (e.location.index < last_index) Fail("error index went back", e.Describe());
        last_index = e.location.index;
      }
      fatal_seen = e.fatal;
    }
  }
  if (reader.Next().has_value()) Fail("item after the end", "");
}

}  // namespace regenatlas::catalog::fuzz

#endif  // REGENATLAS_TESTS_FUZZ_REGISTRY_FUZZ_CHECKS_H_
