#ifndef REGENATLAS_TESTS_SERVICES_CATALOG_REGISTRY_TEST_UTIL_H_
#define REGENATLAS_TESTS_SERVICES_CATALOG_REGISTRY_TEST_UTIL_H_

// Helpers for the registry-file reader tests: read a whole file, find a
// record by ID, load a fixture.

#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog::testing_util {

// Everything a reader yields, split by kind; `order` holds 'r' or 'e' per
// item, in file order.
struct ReadResult {
  std::vector<RegistryRecord> records;
  std::vector<RecordError> errors;
  std::string order;
};

inline ReadResult ReadAll(RegistryReader& reader) {
  ReadResult out;
  while (std::optional<RegistryItem> item = reader.Next()) {
    if (auto* r = std::get_if<RegistryRecord>(&*item)) {
      out.records.push_back(std::move(*r));
      out.order += 'r';
    } else {
      out.errors.push_back(std::get<RecordError>(std::move(*item)));
      out.order += 'e';
    }
  }
  // The end is sticky.
  EXPECT_FALSE(reader.Next().has_value());
  return out;
}

inline const RegistryRecord* Find(const ReadResult& result, const std::string& printed_id) {
  for (const RegistryRecord& r : result.records) {
    if (r.primary_id.printed == printed_id) return &r;
  }
  return nullptr;
}

inline std::string Fixture(const std::string& relative) {
  return std::string(REGENATLAS_SOURCE_DIR) + "/tests/fixtures/" + relative;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace regenatlas::catalog::testing_util

#endif  // REGENATLAS_TESTS_SERVICES_CATALOG_REGISTRY_TEST_UTIL_H_
