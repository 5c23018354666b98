#ifndef REGENATLAS_COMMON_VERSION_H_
#define REGENATLAS_COMMON_VERSION_H_

namespace regenatlas {

// The release version of this build (CMake's PROJECT_VERSION), shown by
// `--version` and the regenatlas_build_info metric.
const char* Version();

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_VERSION_H_
