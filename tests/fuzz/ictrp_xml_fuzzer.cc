// libFuzzer target for the WHO ICTRP XML reader
// (services/catalog/ictrp_xml.h). The first input byte picks the chunk size
// the bytes are handed to expat in (so element, entity and UTF-8 boundaries
// fall everywhere); the rest is the document. Besides crashes it aborts when
// the reader breaks its contract (registry_fuzz_checks.h).

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "services/catalog/byte_source.h"
#include "services/catalog/ictrp_xml.h"
#include "tests/fuzz/registry_fuzz_checks.h"

// libFuzzer entry point: one XML document per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regenatlas::catalog;  // NOLINT(build/namespaces): a fuzzer's entry point.
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  const absl::string_view xml(reinterpret_cast<const char*>(data) + 1, size - 1);
  IctrpXmlOptions options;
  options.max_record_bytes = 4096;  // Small, so the limit is reached too.
  std::unique_ptr<RegistryReader> reader =
      NewIctrpXmlReader(MemorySource(xml, chunk), "fuzz.xml", options);
  fuzz::DrainAndCheck(*reader, xml.size());
  return 0;
}
