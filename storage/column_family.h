#ifndef REGENATLAS_STORAGE_COLUMN_FAMILY_H_
#define REGENATLAS_STORAGE_COLUMN_FAMILY_H_

#include <array>

#include "absl/strings/string_view.h"

namespace regenatlas::storage {

// The column families of a Store. Each service owns its record and index
// families; no service reads another's. kChangeLog is written only through
// WriteBatch::AppendChange and read through Store::ReadChanges.
enum class ColumnFamily : int {
  kMeta = 0,
  kCatalog,
  kCatalogIndex,
  kTimeline,
  kTimelineIndex,
  kAnalytics,
  kAnalyticsIndex,
  kChangeLog,
  kCount,  // Not a column family.
};

inline constexpr int kColumnFamilyCount = static_cast<int>(ColumnFamily::kCount);

// Names on disk, indexed by ColumnFamily. Renaming one loses its data.
inline constexpr std::array<absl::string_view, kColumnFamilyCount> kColumnFamilyNames = {
    "meta",           "catalog",   "catalog_index",   "timeline",
    "timeline_index", "analytics", "analytics_index", "changelog",
};

constexpr absl::string_view ColumnFamilyName(ColumnFamily cf) {
  return kColumnFamilyNames[static_cast<int>(cf)];
}

}  // namespace regenatlas::storage

#endif  // REGENATLAS_STORAGE_COLUMN_FAMILY_H_
