#include "common/version.h"

namespace regenatlas {

const char* Version() { return REGENATLAS_VERSION; }

}  // namespace regenatlas
