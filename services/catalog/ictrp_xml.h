#ifndef REGENATLAS_SERVICES_CATALOG_ICTRP_XML_H_
#define REGENATLAS_SERVICES_CATALOG_ICTRP_XML_H_

// Streaming reader of the WHO ICTRP search portal's XML export
// (<Trials_downloaded_from_ICTRP><Trial>…</Trial>…): expat over the file's
// chunks, one <Trial> held in memory at a time, so memory stays flat however
// large the file.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "services/catalog/byte_source.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// Limits that keep a hostile or broken file from growing memory.
struct IctrpXmlOptions {
  // A <Trial> whose text exceeds this is an error that ends the file.
  size_t max_record_bytes = 8 << 20;
};

// Reads the <Trial> elements of `source` as
// RegistryRecords (ictrp_record.h), in order; `file` names the file in
// locations. The element index of each record counts every <Trial>. A file
// that is not well-formed XML (truncated, broken markup, bytes not in its
// encoding) yields one fatal error at the place expat stopped, naming the
// <Trial> it was in, after the records before it. Documents with a DTD are
// refused (a fatal error) rather than expanded.
std::unique_ptr<RegistryReader> NewIctrpXmlReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, IctrpXmlOptions options = {});

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_ICTRP_XML_H_
